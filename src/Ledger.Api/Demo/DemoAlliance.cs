using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain;
using Ledger.Domain.Alliances;
using Ledger.Domain.Charges;
using Ledger.Domain.Deliveries;
using Ledger.Domain.Funding;
using Ledger.Domain.Loans;
using Ledger.Domain.Payments;
using Ledger.Domain.Purchases;
using Ledger.Domain.Sharing;
using Ledger.Projections.Alliances;
using Ledger.Projections.Deliveries;
using Ledger.Projections.Funding;
using Ledger.Projections.Loans;
using Ledger.Projections.Sharing;

namespace Ledger.Api.Demo;

/// <summary>
/// A small JALIS-like alliance recorded through the same command path as real use (CommandRunner and the deciders),
/// never by SQL. Every id and time is fixed, so loading it twice records nothing the second time.
/// </summary>
public sealed class DemoAlliance(CommandRunner runner, ILogger<DemoAlliance> log)
{
    public const string Code = "JALIS";
    public const string Department = "JSEDU";

    /// <summary>The demo's events are recorded by the loader itself, in the "system" role no token can carry.</summary>
    private static readonly Recorder Loader = new("demo-loader", "system");

    private static DateTimeOffset T(string local) => DateTimeOffset.Parse(local + "+08:00");

    public async Task Load(CancellationToken ct)
    {
        await Alliance(new FoundAlliance(Code, "Jiangsu Academic Library Information System", AllianceKind.Provincial,
            "Jiangsu", Department, "CNY", "Asia/Shanghai", T("2026-01-01T09:00:00")), ct);
        var joined = new DateOnly(2026, 1, 1);
        await Alliance(new AdmitMember("NJU", "Nanjing University Library", 60_000, "south", MemberRole.ManagementCentre, joined), ct);
        await Alliance(new AdmitMember("SEU", "Southeast University Library", 45_000, "south", MemberRole.ServiceCentre, joined), ct);
        await Alliance(new AdmitMember("NUAA", "Nanjing University of Aeronautics and Astronautics Library", 30_000, "south", MemberRole.Member, joined), ct);
        await Alliance(new AdmitMember("SUDA", "Soochow University Library", 50_000, "south", MemberRole.Member, joined), ct);
        await Alliance(new AdmitMember("XZMU", "Xuzhou Medical University Library", 20_000, "north", MemberRole.Member, joined), ct);
        await Funding(ct);
        // Northern members' requests are half subsidised (cap 100 CNY) from the JALIS phase IV subsidy sub-project.
        await Alliance(new SetFeePolicy(new FeePolicy(joined, 40_00, 2_00, 30, 10_00, 5_00,
            [new SubsidyRule("north", 5000, 100_00)], "JALIS-IV-SUB")), ct);

        await Loan("DEMO-L1", new RequestLoan("DEMO-L1", "NJU", "SEU", "Wenxin Diaolong (critical edition)", 60_00, T("2026-10-08T09:00:00")), ct);
        await Loan("DEMO-L1", new ShipLoan(null, T("2026-10-09T15:30:00")), ct);
        await Loan("DEMO-L1", new ReceiveLoan(T("2026-10-11T10:00:00")), ct);
        await Loan("DEMO-L1", new ReturnLoan(T("2026-11-02T11:00:00")), ct);

        await Loan("DEMO-L2", new RequestLoan("DEMO-L2", "XZMU", "NJU", "Harrison's Principles of Internal Medicine, 21st ed.", null, T("2026-10-12T08:30:00")), ct);
        await Loan("DEMO-L2", new ShipLoan(null, T("2026-10-13T16:00:00")), ct);

        await Loan("DEMO-L3", new RequestLoan("DEMO-L3", "SUDA", "NUAA", "Aircraft Structures for Engineering Students", null, T("2026-10-20T10:00:00")), ct);
        await Loan("DEMO-L3", new MarkLoanUnfilled("item on order, not yet received", T("2026-10-21T09:00:00")), ct);

        await Delivery("DEMO-D1", new RequestDelivery("DEMO-D1", "NUAA", "NJU", "J. Aircraft 61(2): 301-318", true, null, T("2026-10-15T09:00:00")), ct);
        await Delivery("DEMO-D1", new FulfilDelivery(18, null, T("2026-10-15T13:00:00")), ct);

        await Delivery("DEMO-D2", new RequestDelivery("DEMO-D2", "XZMU", "SEU", "Chinese Medical Journal 139(4): 1-12", false, null, T("2026-11-03T09:00:00")), ct);
        await Delivery("DEMO-D2", new FulfilDelivery(12, null, T("2026-11-04T10:00:00")), ct);
        await Delivery("DEMO-D2", new RefundDeliveryCharge("DEMO-R1", 1_00, "two pages illegible", T("2026-11-05T10:00:00")), ct);

        await JointPurchase(ct);

        // Every month from January to October closed: October's statements carry the licence, loans and deliveries.
        for (var month = 1; month <= 10; month++)
            await Settlement.PeriodEndpoints.Close(runner, Loader, Code, $"2026-{month:D2}", null, T("2026-11-02T09:00:00"), ct);

        log.LogInformation("demo alliance {Alliance} loaded", Code);
    }

    /// <summary>
    /// A database licence shared by all five members: 20 % equally, 80 % by COUNTER unique item requests, with a
    /// third covered by the JALIS-IV database sub-project, the vendor paid and two members' shares paid in.
    /// </summary>
    private async Task JointPurchase(CancellationToken ct)
    {
        const string id = "DEMO-LIC-2026";
        string[] members = ["NJU", "SEU", "NUAA", "SUDA", "XZMU"];
        long[] usage = [4_210, 2_980, 1_150, 2_320, 640];
        await Purchase(id, new ProposePurchase(id, "Chinese academic journals, 2026", "CNKI", new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31),
            420_000_00, new SplitRule(SplitMethod.Mixed, 2000, SplitMethod.Usage), CounterReports.UniqueItemRequests, T("2026-10-01T09:00:00")), ct);
        for (var i = 0; i < members.Length; i++)
        {
            await Purchase(id, new JoinPurchase(members[i], T("2026-10-02T09:00:00")), ct);
            var report = CounterReports.Read(System.Text.Encoding.UTF8.GetBytes(DemoCounterReport(members[i], usage[i])), CounterReports.UniqueItemRequests);
            await Purchase(id, new RecordPurchaseUsage(members[i], report, T("2026-10-05T09:00:00")), ct);
        }
        await Purchase(id, new InvoicePurchase("CNKI-2026-0117", 400_000_00, new DateOnly(2026, 10, 8), T("2026-10-08T09:00:00")), ct);
        await Purchase(id, new AllocatePurchase(T("2026-10-09T09:00:00")), ct);
        await runner.Run<PurchaseView, Domain.Purchases.JointPurchase>(Loader, Code, StreamKeys.Purchase(id), null, SettlementLock.Shared, async (session, s, a) =>
            PurchaseDecider.Decide(id, new CoverPurchase("JALIS-IV-DB", 120_000_00, T("2026-10-10T09:00:00"), BudgetLines.ResourcePurchase,
                await FundingQueries.AvailableFen(session, "JALIS-IV-DB", ct)), s, a!), ct);
        await Purchase(id, new PayVendor("DEMO-VP-1", 400_000_00, new DateOnly(2026, 10, 20), "ICBC-20261020-0117", T("2026-10-20T15:00:00")), ct);
        await Payment(new RecordPayment("DEMO-PAY-1", "NJU", PaymentDirection.MemberToCentre, 100_000_00, new DateOnly(2026, 10, 25), "BOC-20261025-NJU", T("2026-10-25T10:00:00")), ct);
        await Payment(new RecordPayment("DEMO-PAY-2", "SEU", PaymentDirection.MemberToCentre, 50_000_00, new DateOnly(2026, 10, 28), "BOC-20261028-SEU", T("2026-10-28T10:00:00")), ct);
    }

    /// <summary>A small COUNTER R5 TR_J1 report for one member: its unique item requests in September 2026.</summary>
    public static string DemoCounterReport(string member, long uniqueRequests) => System.Text.Json.JsonSerializer.Serialize(new
    {
        Report_Header = new { Report_ID = "TR_J1", Release = "5", Institution_Name = $"{member} Library", Report_Filters = new[] { new { Name = "Begin_Date", Value = "2026-09-01" }, new { Name = "End_Date", Value = "2026-09-30" } } },
        Report_Items = new[]
        {
            new { Title = "Chinese Journal of Library Science", Performance = new[] { new { Period = new { Begin_Date = "2026-09-01", End_Date = "2026-09-30" }, Instance = new[] { new { Metric_Type = CounterReports.UniqueItemRequests, Count = uniqueRequests } } } } },
        },
    });

    private Task Purchase(string id, IPurchaseCommand c, CancellationToken ct) =>
        runner.Run<PurchaseView, Domain.Purchases.JointPurchase>(Loader, Code, StreamKeys.Purchase(id), null, (s, a) => PurchaseDecider.Decide(id, c, s, a!), ct);

    private Task Payment(RecordPayment c, CancellationToken ct) =>
        runner.Run<PaymentView, Domain.Payments.Payment>(Loader, Code, StreamKeys.Payment(c.PaymentId), null, (s, a) => PaymentDecider.Decide(c, s, a!), ct);

    private Task Alliance(IAllianceCommand c, CancellationToken ct) =>
        runner.Run<AllianceView, Alliance>(Loader, Code, StreamKeys.Alliance, null, (s, _) => AllianceDecider.Decide(c, s), ct);

    private Task Loan(string id, ILoanCommand c, CancellationToken ct) =>
        runner.Run<LoanView, Loan>(Loader, Code, StreamKeys.Loan(id), null, SettlementLock.Shared,
            async (session, s, a) => LoanDecider.Decide(id, await Grants.Funded(session, a!, c, s, ct), s, a!), ct);

    private Task Delivery(string id, IDeliveryCommand c, CancellationToken ct) =>
        runner.Run<DeliveryView, Delivery>(Loader, Code, StreamKeys.Delivery(id), null, SettlementLock.Shared,
            async (session, s, a) => DeliveryDecider.Decide(id, await Grants.Funded(session, a!, c, s, ct), s, a!), ct);

    private Task Project(ApproveProject c, CancellationToken ct) =>
        runner.Run<ProjectView, Project>(Loader, Code, StreamKeys.Project(c.Code), null, (s, a) => ProjectDecider.Decide(c, s, a!), ct);

    private Task SubProject(string code, ISubProjectCommand c, CancellationToken ct) =>
        runner.Run<SubProjectView, Domain.Funding.SubProject>(Loader, Code, StreamKeys.SubProject(code), null, SettlementLock.Shared, async (session, s, a) =>
        {
            var available = await FundingQueries.AvailableFen(session, code, ct);
            var project = (await session.LoadAsync<ProjectView>(StreamKeys.Project("JALIS-IV"), ct))?.State;
            return SubProjectDecider.Decide(code, c, s, project, a!, available);
        }, ct);

    /// <summary>
    /// JALIS phase IV (2026–2027) as the department approved it: a subsidy sub-project that pays the northern members'
    /// subsidies and the suppliers' rewards, a database sub-project that covers part of the joint licence, and an
    /// equipment sub-project with its own expenditures (one reversed) that has passed inspection.
    /// </summary>
    private async Task Funding(CancellationToken ct)
    {
        await Project(new ApproveProject("JALIS-IV", "JALIS phase IV construction", Department, "JALIS phase IV", new DateOnly(2026, 1, 1),
            new DateOnly(2027, 12, 31), T("2026-01-05T09:00:00")), ct);
        await SubProject("JALIS-IV-SUB", new ApproveSubProject("JALIS-IV-SUB", "JALIS-IV", "Interlibrary loan and document delivery subsidies", "NJU",
            [new BudgetLine(BudgetLines.Subsidy, 200_000_00), new BudgetLine(BudgetLines.Operations, 20_000_00)], T("2026-01-06T09:00:00")), ct);
        await SubProject("JALIS-IV-DB", new ApproveSubProject("JALIS-IV-DB", "JALIS-IV", "Shared database licences", "NJU",
            [new BudgetLine(BudgetLines.ResourcePurchase, 600_000_00)], T("2026-01-06T09:00:00")), ct);
        await SubProject("JALIS-IV-EQ", new ApproveSubProject("JALIS-IV-EQ", "JALIS-IV", "Document delivery scanning station", "SEU",
            [new BudgetLine(BudgetLines.Equipment, 80_000_00), new BudgetLine(BudgetLines.Labour, 20_000_00)], T("2026-01-06T09:00:00")), ct);
        await SubProject("JALIS-IV-SUB", new AllocateFunds("JSEDU-2026-017", 2026, 50_000_00, new DateOnly(2026, 1, 10), T("2026-01-10T09:00:00")), ct);
        await SubProject("JALIS-IV-DB", new AllocateFunds("JSEDU-2026-018", 2026, 150_000_00, new DateOnly(2026, 3, 1), T("2026-03-01T09:00:00")), ct);
        await SubProject("JALIS-IV-EQ", new AllocateFunds("JSEDU-2026-019", 2026, 60_000_00, new DateOnly(2026, 3, 1), T("2026-03-01T09:00:00")), ct);
        await SubProject("JALIS-IV-EQ", new RecordExpenditure("EQ-001", BudgetLines.Equipment, 35_800_00, new DateOnly(2026, 4, 12), "JX-2026-0412",
            "Overhead book scanner", T("2026-04-12T15:00:00")), ct);
        await SubProject("JALIS-IV-EQ", new RecordExpenditure("EQ-002", BudgetLines.Labour, 4_000_00, new DateOnly(2026, 5, 8), "JX-2026-0508",
            "Installation (booked against the wrong voucher)", T("2026-05-08T15:00:00")), ct);
        await SubProject("JALIS-IV-EQ", new ReverseExpenditure("EQ-002", "booked against the wrong voucher", new DateOnly(2026, 5, 9), T("2026-05-09T10:00:00")), ct);
        await SubProject("JALIS-IV-EQ", new RecordExpenditure("EQ-003", BudgetLines.Labour, 4_000_00, new DateOnly(2026, 5, 9), "JX-2026-0509",
            "Installation and training", T("2026-05-09T10:30:00")), ct);
        await SubProject("JALIS-IV-EQ", new AcceptSubProject(new DateOnly(2026, 6, 30), "excellent", 93m, "Scanning station in service; turnaround halved.",
            T("2026-06-30T16:00:00")), ct);
    }

    /// <summary>One token per role for the demo alliance, as shell variables.</summary>
    public static IReadOnlyList<(string Variable, string Token)> DemoTokens(TokenIssuer issuer) =>
    [
        ("OPERATOR", issuer.Issue(new TokenRequest("demo-operator", Roles.Operator, [Code]))),
        ("FINANCE", issuer.Issue(new TokenRequest("jalis-finance", Roles.FinanceOfficer, [Code]))),
        ("SERVICE", issuer.Issue(new TokenRequest("jalis-ill-platform", Roles.Service, [Code]))),
        ("SUDA", issuer.Issue(new TokenRequest("suda-ill", Roles.Member, [Code], Member: "SUDA"))),
        ("SEU", issuer.Issue(new TokenRequest("seu-ill", Roles.Member, [Code], Member: "SEU"))),
        ("AUDITOR", issuer.Issue(new TokenRequest("jsedu-auditor", Roles.Auditor, [], Department: Department))),
    ];

    public static void PrintExamples(string baseUrl, TokenIssuer? issuer)
    {
        var a = $"{baseUrl}/api/alliances/{Code}";
        var tokens = issuer is null
            ? "  (Auth:Authority is set: get tokens from your identity provider and export them as below.)"
            : string.Join(Environment.NewLine, DemoTokens(issuer).Select(t => $"  export {t.Variable}={t.Token}"));
        Console.WriteLine($$"""

            Alliance Ledger is serving {{baseUrl}} with the demo alliance {{Code}} loaded.
            Web console: {{baseUrl}}/console/  (sign in by pasting one of the tokens below: FINANCE, AUDITOR, SUDA or SEU)
            OpenAPI: {{baseUrl}}/openapi/v1.json

            Tokens for the demo, valid {{TokenIssuer.DefaultLifetime.TotalHours}} hours (operator, finance officer, ILL platform,
            members SUDA and SEU, auditor of {{Department}}); paste these into your shell:
            {{tokens}}

            SUDA requests a loan from SEU; SEU ships it; SUDA receives and returns it:
              curl -s -X POST {{a}}/loans -H "Authorization: Bearer $SUDA" -H 'Content-Type: application/json' \
                -d '{"loanId":"TRY-1","borrower":"SUDA","lender":"SEU","title":"Dream of the Red Chamber","maximumCost":50}'
              curl -s -X POST {{a}}/loans/TRY-1/shipped  -H "Authorization: Bearer $SEU"  -H 'Content-Type: application/json' -d '{}'
              curl -s -X POST {{a}}/loans/TRY-1/received -H "Authorization: Bearer $SUDA" -H 'Content-Type: application/json' -d '{}'
              curl -s -X POST {{a}}/loans/TRY-1/returned -H "Authorization: Bearer $SUDA" -H 'Content-Type: application/json' -d '{}'

            Each member sees its own balance and statement (and gets 403 for anyone else's):
              curl -s {{a}}/members/SUDA/balance -H "Authorization: Bearer $SUDA"
              curl -s {{a}}/members/SEU/statement -H "Authorization: Bearer $SEU"
              curl -s {{a}}/members/SEU/balance -H "Authorization: Bearer $SUDA"

            The finance officer and the auditor see the whole alliance (its total is always 0):
              curl -s {{a}}/balances -H "Authorization: Bearer $FINANCE"
              curl -s '{{a}}/usage?from=2026-10&to=2026-12' -H "Authorization: Bearer $AUDITOR"

            The joint licence (20 % equally, 80 % by COUNTER usage), October's settlement and SEU's statement as a workbook:
              curl -s {{a}}/joint-purchases/DEMO-LIC-2026 -H "Authorization: Bearer $FINANCE"
              curl -s {{a}}/periods/2026-10/settlement -H "Authorization: Bearer $AUDITOR"
              curl -s -o SEU-2026-10.xlsx '{{a}}/periods/2026-10/statements/SEU?format=xlsx' -H "Authorization: Bearer $SEU"

            More tokens: dotnet src/Ledger.Api/bin/Release/net10.0/Ledger.Api.dll token --role member --alliance {{Code}} --member NJU
            Stop with Ctrl+C; infra/services.sh down stops PostgreSQL and RabbitMQ.
            """);
    }
}
