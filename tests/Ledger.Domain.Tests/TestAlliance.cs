using Ledger.Domain.Alliances;

namespace Ledger.Domain.Tests;

/// <summary>A small alliance in a known state: three south members, one north member with a 50 % subsidy.</summary>
public static class TestAlliance
{
    public static readonly DateOnly Joined = new(2026, 1, 1);

    public static readonly FeePolicy Policy = new(Joined, LoanFeeFen: 40_00, DeliveryBaseFeeFen: 2_00, PerPageFen: 30,
        RushSurchargeFen: 10_00, SupplierRewardFen: 5_00, [new SubsidyRule("north", 5000, 100_00)], "JALIS-IV-SUB");

    public static DateTimeOffset At(string local) => DateTimeOffset.Parse(local + "+08:00");

    public static Alliance Build(params IAllianceEvent[] more)
    {
        IAllianceEvent[] events =
        [
            new AllianceFounded("JALIS", "Jiangsu", AllianceKind.Provincial, "Jiangsu", "JSEDU", "CNY", "Asia/Shanghai", At("2026-01-01T09:00:00")),
            new MemberAdmitted("NJU", "Nanjing University", 60_000, "south", MemberRole.ManagementCentre, Joined),
            new MemberAdmitted("SEU", "Southeast University", 45_000, "south", MemberRole.Member, Joined),
            new MemberAdmitted("XZMU", "Xuzhou Medical University", 20_000, "north", MemberRole.Member, Joined),
            new FeePolicySet(Policy),
            .. more,
        ];
        Alliance? state = null;
        foreach (var e in events) state = AllianceDecider.Evolve(state, e);
        return state!;
    }
}

public static class Reject
{
    public static string CodeOf(Action act) => Should.Throw<Rejected>(act).Code;
    public static string NotFoundCodeOf(Action act) => Should.Throw<NotFound>(act).Code;
}
