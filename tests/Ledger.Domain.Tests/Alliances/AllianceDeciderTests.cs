using Ledger.Domain.Alliances;

namespace Ledger.Domain.Tests.Alliances;

public class AllianceDeciderTests
{
    private static readonly FoundAlliance Found = new("JALIS", "Jiangsu", AllianceKind.Provincial, "Jiangsu", "JSEDU", "CNY",
        "Asia/Shanghai", TestAlliance.At("2026-01-01T09:00:00"));

    [Fact]
    public void founding_a_new_alliance_records_it() =>
        AllianceDecider.Decide(Found, null).ShouldHaveSingleItem().ShouldBeOfType<AllianceFounded>().Code.ShouldBe("JALIS");

    [Fact]
    public void founding_again_with_the_same_description_is_a_retry() =>
        AllianceDecider.Decide(Found with { At = Found.At.AddHours(1) }, TestAlliance.Build()).ShouldBeEmpty();

    [Fact]
    public void founding_again_with_another_name_reuses_the_code() =>
        Reject.CodeOf(() => AllianceDecider.Decide(Found with { Name = "Other" }, TestAlliance.Build()))
            .ShouldBe(AllianceCodes.AllianceCodeReused);

    [Fact]
    public void a_command_on_an_alliance_that_does_not_exist_is_not_found() =>
        Reject.NotFoundCodeOf(() => AllianceDecider.Decide(new RecordMemberLeft("NJU", new DateOnly(2026, 5, 1)), null))
            .ShouldBe(AllianceCodes.AllianceMustExist);

    [Fact]
    public void admitting_a_member_records_it_and_a_retry_records_nothing()
    {
        var admit = new AdmitMember("SUDA", "Soochow", 50_000, "south", MemberRole.Member, new DateOnly(2026, 3, 1));
        var events = AllianceDecider.Decide(admit, TestAlliance.Build());
        events.ShouldHaveSingleItem().ShouldBeOfType<MemberAdmitted>().Code.ShouldBe("SUDA");
        var after = AllianceDecider.Evolve(TestAlliance.Build(), events[0]);
        AllianceDecider.Decide(admit, after).ShouldBeEmpty();
        Reject.CodeOf(() => AllianceDecider.Decide(admit with { Fte = 1 }, after)).ShouldBe(AllianceCodes.MemberCodeReused);
    }

    [Fact]
    public void a_member_that_left_is_not_a_member_from_that_day()
    {
        var alliance = TestAlliance.Build();
        var events = AllianceDecider.Decide(new RecordMemberLeft("SEU", new DateOnly(2026, 7, 1)), alliance);
        var after = AllianceDecider.Evolve(alliance, events.ShouldHaveSingleItem());
        after.Members["SEU"].IsMemberOn(new DateOnly(2026, 6, 30)).ShouldBeTrue();
        after.Members["SEU"].IsMemberOn(new DateOnly(2026, 7, 1)).ShouldBeFalse();
        Reject.CodeOf(() => AllianceDecider.Decide(new RecordMemberLeft("SEU", new DateOnly(2026, 8, 1)), after))
            .ShouldBe(AllianceCodes.MemberAlreadyLeft);
    }

    [Fact]
    public void a_member_cannot_leave_before_it_joined() =>
        Reject.CodeOf(() => AllianceDecider.Decide(new RecordMemberLeft("SEU", new DateOnly(2025, 7, 1)), TestAlliance.Build()))
            .ShouldBe(AllianceCodes.MemberMustNotLeaveBeforeJoining);

    [Fact]
    public void leaving_names_an_existing_member() =>
        Reject.NotFoundCodeOf(() => AllianceDecider.Decide(new RecordMemberLeft("XX", new DateOnly(2026, 7, 1)), TestAlliance.Build()))
            .ShouldBe(AllianceCodes.MemberMustExist);

    [Fact]
    public void a_policy_that_pays_subsidies_must_name_its_funding() =>
        Reject.CodeOf(() => AllianceDecider.Decide(new SetFeePolicy(TestAlliance.Policy with
        {
            EffectiveFrom = new DateOnly(2026, 7, 1),
            FundingReference = null,
        }), TestAlliance.Build()))
            .ShouldBe(AllianceCodes.FeePolicyNeedsFundingReference);

    [Fact]
    public void a_policy_is_never_edited_in_place()
    {
        var alliance = TestAlliance.Build();
        AllianceDecider.Decide(new SetFeePolicy(TestAlliance.Policy with { Subsidies = [.. TestAlliance.Policy.Subsidies] }), alliance)
            .ShouldBeEmpty();
        Reject.CodeOf(() => AllianceDecider.Decide(new SetFeePolicy(TestAlliance.Policy with { LoanFeeFen = 1 }), alliance))
            .ShouldBe(AllianceCodes.FeePolicyDateReused);
    }

    [Fact]
    public void the_policy_in_force_is_the_latest_effective_on_the_date()
    {
        var later = TestAlliance.Policy with { EffectiveFrom = new DateOnly(2026, 7, 1), LoanFeeFen = 50_00 };
        var alliance = TestAlliance.Build(new FeePolicySet(later));
        alliance.PolicyOn(new DateOnly(2026, 6, 30))!.LoanFeeFen.ShouldBe(40_00);
        alliance.PolicyOn(new DateOnly(2026, 7, 1))!.LoanFeeFen.ShouldBe(50_00);
        alliance.PolicyOn(new DateOnly(2025, 12, 31)).ShouldBeNull();
    }

    [Fact]
    public void the_business_date_is_the_date_in_the_alliance_time_zone() =>
        TestAlliance.Build().BusinessDate(DateTimeOffset.Parse("2026-06-30T17:30:00Z")).ShouldBe(new DateOnly(2026, 7, 1));
}
