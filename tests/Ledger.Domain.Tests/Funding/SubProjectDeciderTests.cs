using Ledger.Domain.Funding;
using Ledger.Domain.Ledger;

namespace Ledger.Domain.Tests.Funding;

public class SubProjectDeciderTests
{
    private static readonly DateTimeOffset T = TestAlliance.At("2026-03-01T09:00:00");
    private static readonly Project Project = new("P", "Phase IV", "JSEDU", "JALIS", "IV", new(2026, 1, 1), new(2027, 12, 31), null, null);

    private static SubProject Approved() => SubProjectDecider.Evolve(null, SubProjectDecider.Decide("S",
        new ApproveSubProject("S", "P", "Scanner", "NJU", [new BudgetLine("equipment", 1_000_00)], T), null, Project, TestAlliance.Build(), 0).Cast<SubProjectApproved>().Single());

    [Fact]
    public void an_expenditure_within_the_funds_posts_grant_against_cash_and_one_beyond_is_refused()
    {
        var s = Approved();
        var alliance = TestAlliance.Build();
        var spent = SubProjectDecider.Decide("S", new RecordExpenditure("E1", "equipment", 600_00, new(2026, 3, 2), "V1", "d", T), s, Project, alliance, 600_00).Single();
        PostingRules.For(spent).ShouldBe([new PostingLine("grant:S", -600_00), new PostingLine("cash", 600_00)]);
        FundingRules.For(spent).Single().ShouldBe(new FundingMovement("S", "equipment", FundingKind.Spent, 600_00, 2026));
        Reject.CodeOf(() => SubProjectDecider.Decide("S", new RecordExpenditure("E2", "equipment", 600_01, new(2026, 3, 2), "V2", "d", T), s, Project, alliance, 600_00))
            .ShouldBe(FundingCodes.FundsMustSuffice);
        Reject.CodeOf(() => SubProjectDecider.Decide("S", new RecordExpenditure("E2", "labour", 1, new(2026, 3, 2), "V2", "d", T), s, Project, alliance, 600_00))
            .ShouldBe(FundingCodes.BudgetLineMustExist);
    }

    [Fact]
    public void a_withheld_subsidy_is_a_movement_of_one_request_that_moves_no_funds()
    {
        var movement = FundingRules.For(new LoanGrantWithheld("L1", "S", 25_00, 10_00, new(2026, 11, 13))).Single();
        movement.ShouldBe(new FundingMovement("S", BudgetLines.Subsidy, FundingKind.Withheld, 25_00, 2026, SubsidisedRequests: 1));
        movement.SignedFen.ShouldBe(0);
        FundingRules.Available([new FundingMovement("S", null, FundingKind.Allocated, 10_00, 2026), movement]).ShouldBe(10_00);
        FundingRules.For(new DeliveryGrantWithheld("D1", "", 7_80, 0, new(2026, 11, 13))).ShouldBeEmpty(); // a policy naming no grant
    }

    [Fact]
    public void an_accepted_sub_project_or_a_closed_project_spends_nothing_more()
    {
        var alliance = TestAlliance.Build();
        var accepted = SubProjectDecider.Evolve(Approved(), new SubProjectAccepted("S", new(2026, 6, 30), "excellent", 95m, "ok"));
        Reject.CodeOf(() => SubProjectDecider.Decide("S", new RecordExpenditure("E", "equipment", 1, new(2026, 7, 1), "V", "d", T), accepted, Project, alliance, 1_00))
            .ShouldBe(FundingCodes.SubProjectMustBeOpen);
        Reject.CodeOf(() => SubProjectDecider.Decide("S", new RecordExpenditure("E", "equipment", 1, new(2026, 7, 1), "V", "d", T), Approved(),
            Project with { ClosedOn = new(2026, 6, 1) }, alliance, 1_00)).ShouldBe(FundingCodes.ProjectMustBeOpen);
    }

    [Fact]
    public void a_move_records_both_sides_and_its_postings_net_to_zero_through_the_transfer_account()
    {
        var from = Approved();
        var to = Approved() with { Code = "T" };
        var (moveOut, moveIn) = SubProjectDecider.Move("M1", from, to, Project, 100_00, "rebalance", new(2026, 4, 1), 100_00)!.Value;
        PostingRules.For(moveOut).Concat(PostingRules.For(moveIn)).Where(l => l.Account == "transfer:M1").Sum(l => l.AmountFen).ShouldBe(0);
        FundingRules.Available([.. FundingRules.For(moveIn)]).ShouldBe(100_00);
        Reject.CodeOf(() => SubProjectDecider.Move("M2", from, from, Project, 1, "x", new(2026, 4, 1), 100_00)).ShouldBe(FundingCodes.MoveMustBetweenTwo);
    }
}
