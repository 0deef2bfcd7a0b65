using Ledger.Domain.Alliances;

namespace Ledger.Domain.Charges;

/// <summary>Rules about the two libraries of a request, shared by loans and deliveries.</summary>
public static class Parties
{
    /// <summary>Both must be admitted members on the business date, and a library cannot serve itself.</summary>
    public static void MustBeMembers(Alliance alliance, string borrower, string lender, DateOnly businessDate)
    {
        if (borrower == lender) throw new Rejected(ChargeCodes.LibraryMustNotServeItself);
        foreach (var code in new[] { borrower, lender })
        {
            var member = alliance.MemberOrNull(code)
                ?? throw new NotFound(AllianceCodes.MemberMustExist, $"member {code} does not exist in {alliance.Code}");
            if (!member.IsMemberOn(businessDate))
                throw new Rejected(ChargeCodes.MemberMustBeAdmitted, $"{code} is not a member on {businessDate:yyyy-MM-dd}");
        }
    }

    public static void MustNotPrecede(DateTimeOffset at, DateTimeOffset requestedAt)
    {
        if (at < requestedAt) throw new Rejected(ChargeCodes.TimeMustNotPrecedeRequest,
            $"{at:O} is before the request at {requestedAt:O}");
    }

    public static FeePolicy PolicyOn(Alliance alliance, DateOnly businessDate) =>
        alliance.PolicyOn(businessDate) ?? throw new Rejected(ChargeCodes.FeePolicyMustBeInForce,
            $"no fee policy is in force on {businessDate:yyyy-MM-dd}");
}
