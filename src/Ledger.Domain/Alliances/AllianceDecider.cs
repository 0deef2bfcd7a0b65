namespace Ledger.Domain.Alliances;

public static class AllianceDecider
{
    public static IAllianceEvent[] Decide(IAllianceCommand command, Alliance? state) => (command, state) switch
    {
        (FoundAlliance c, null) =>
            [new AllianceFounded(c.Code, c.Name, c.Kind, c.Region, c.DepartmentCode, c.Currency, c.TimeZone, c.At)],
        // Founding again with the same description is a retry; anything else reuses the code.
        (FoundAlliance c, { } s) when SameFounding(c, s) => [],
        (FoundAlliance, _) => throw new Rejected(AllianceCodes.AllianceCodeReused),

        (_, null) => throw new NotFound(AllianceCodes.AllianceMustExist, "the alliance does not exist"),

        (AdmitMember c, { } s) => Admit(c, s),
        (RecordMemberLeft c, { } s) => Leave(c, s),
        (SetFeePolicy c, { } s) => SetPolicy(c.Policy, s),
        (RecordMemberFte c, { } s) => ChangeFte(c, s),
        (RegisterAgencyId c, { } s) => RegisterAgency(c, s),
        _ => throw new InvalidOperationException($"unhandled command {command.GetType().Name}"),
    };

    private static bool SameFounding(FoundAlliance c, Alliance s) =>
        c.Name == s.Name && c.Kind == s.Kind && c.Region == s.Region && c.DepartmentCode == s.DepartmentCode &&
        c.Currency == s.Currency && c.TimeZone == s.TimeZone;

    private static IAllianceEvent[] Admit(AdmitMember c, Alliance s)
    {
        if (s.MemberOrNull(c.Code) is not { } existing)
            return [new MemberAdmitted(c.Code, c.Name, c.Fte, c.RegionGroup, c.Role, c.JoinedOn)];
        var same = existing.Name == c.Name && existing.Fte == c.Fte && existing.RegionGroup == c.RegionGroup &&
                   existing.Role == c.Role && existing.JoinedOn == c.JoinedOn;
        return same ? [] : throw new Rejected(AllianceCodes.MemberCodeReused);
    }

    private static IAllianceEvent[] Leave(RecordMemberLeft c, Alliance s)
    {
        var member = s.MemberOrNull(c.Code) ?? throw new NotFound(AllianceCodes.MemberMustExist, $"member {c.Code} does not exist");
        if (member.LeftOn == c.LeftOn) return [];
        if (member.LeftOn is not null) throw new Rejected(AllianceCodes.MemberAlreadyLeft);
        if (c.LeftOn <= member.JoinedOn) throw new Rejected(AllianceCodes.MemberMustNotLeaveBeforeJoining);
        return [new MemberLeft(c.Code, c.LeftOn)];
    }

    private static IAllianceEvent[] ChangeFte(RecordMemberFte c, Alliance s)
    {
        var member = s.MemberOrNull(c.Code) ?? throw new NotFound(AllianceCodes.MemberMustExist, $"member {c.Code} does not exist");
        var existing = (member.FteChanges ?? []).FirstOrDefault(x => x.EffectiveFrom == c.EffectiveFrom);
        if (existing is null) return [new MemberFteChanged(c.Code, c.Fte, c.EffectiveFrom)];
        return existing.Fte == c.Fte ? [] : throw new Rejected(AllianceCodes.FteDateReused);
    }

    private static IAllianceEvent[] RegisterAgency(RegisterAgencyId c, Alliance s)
    {
        var member = s.MemberOrNull(c.Code) ?? throw new NotFound(AllianceCodes.MemberMustExist, $"member {c.Code} does not exist");
        if (s.MemberByAgency(c.Type, c.Value) is { } holder)
            return holder.Code == c.Code ? [] : throw new Rejected(AllianceCodes.AgencyIdTaken, $"{c.Type} {c.Value} names {holder.Code}");
        return [new AgencyIdRegistered(member.Code, c.Type, c.Value)];
    }

    private static IAllianceEvent[] SetPolicy(FeePolicy p, Alliance s)
    {
        // Subsidies and rewards are paid from a grant account, so a policy that grants them must name one.
        var paysFromGrant = p.SupplierRewardFen > 0 || p.Subsidies.Any(r => r.RateBasisPoints > 0 && r.CapFen > 0);
        if (paysFromGrant && string.IsNullOrEmpty(p.FundingReference))
            throw new Rejected(AllianceCodes.FeePolicyNeedsFundingReference);
        var existing = s.Policies.FirstOrDefault(x => x.EffectiveFrom == p.EffectiveFrom);
        if (existing is null) return [new FeePolicySet(p)];
        // A policy is never edited: a changed fee takes a new effective date.
        return existing.SameAs(p) ? [] : throw new Rejected(AllianceCodes.FeePolicyDateReused);
    }

    public static Alliance Evolve(Alliance? state, IAllianceEvent e) => (state, e) switch
    {
        (null, AllianceFounded f) => new Alliance(f.Code, f.Name, f.Kind, f.Region, f.DepartmentCode, f.Currency,
            f.TimeZone, f.FoundedAt, new Dictionary<string, Member>(), []),
        ({ } s, MemberAdmitted m) => s with
        {
            Members = new Dictionary<string, Member>(s.Members)
            {
                [m.Code] = new(m.Code, m.Name, m.Fte, m.RegionGroup, m.Role, m.JoinedOn, null),
            },
        },
        ({ } s, MemberLeft l) => s with
        {
            Members = new Dictionary<string, Member>(s.Members) { [l.Code] = s.Members[l.Code] with { LeftOn = l.LeftOn } },
        },
        ({ } s, FeePolicySet p) => s with { Policies = [.. s.Policies, p.Policy] },
        ({ } s, AgencyIdRegistered r) => s with
        {
            Members = new Dictionary<string, Member>(s.Members)
            {
                [r.Code] = s.Members[r.Code] with { AgencyIds = [.. s.Members[r.Code].AgencyIds ?? [], new AgencyId(r.Type, r.Value)] },
            },
        },
        ({ } s, MemberFteChanged f) => s with
        {
            Members = new Dictionary<string, Member>(s.Members)
            {
                [f.Code] = s.Members[f.Code] with { FteChanges = [.. s.Members[f.Code].FteChanges ?? [], new FteChange(f.Fte, f.EffectiveFrom)] },
            },
        },
        _ => throw new InvalidOperationException($"cannot apply {e.GetType().Name} to {(state is null ? "no alliance" : "an alliance")}"),
    };
}
