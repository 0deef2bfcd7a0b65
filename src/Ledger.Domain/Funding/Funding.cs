using Ledger.Domain.Alliances;
using Ledger.Domain.Charges;

namespace Ledger.Domain.Funding;

// Project funding. A department approves a project run by an alliance (one stream per project); the project's
// sub-projects (one stream each) are undertaken by member libraries with a budget per budget line. Funds are allocated
// to a sub-project per fiscal year, returned, or moved between sub-projects (both sides recorded); expenditures are
// recorded against a budget line and may be reversed; a sub-project is accepted after inspection, a project closed.
// The grant account of a sub-project is grant:{sub-project code}: allocations credit it, spending debits it. Subsidies,
// supplier rewards and purchase covers already debit it; they are its expenditures too, on the budget line their fee
// policy or cover names.

public interface IProjectEvent;
public interface ISubProjectEvent;

public static class BudgetLines
{
    public const string ResourcePurchase = "resource-purchase";
    public const string Equipment = "equipment";
    public const string Labour = "labour";
    public const string Subsidy = "subsidy";
    public const string Operations = "operations";
}

public sealed record ApproveProject(string Code, string Name, string DepartmentCode, string Phase, DateOnly StartsOn, DateOnly EndsOn, DateTimeOffset At);
public sealed record CloseProject(DateOnly ClosedOn, string Remarks, DateTimeOffset At);

public sealed record ProjectApproved(string Code, string Name, string DepartmentCode, string Alliance, string Phase, DateOnly StartsOn, DateOnly EndsOn,
    DateTimeOffset ApprovedAt) : IProjectEvent;
public sealed record ProjectClosed(string Code, DateOnly ClosedOn, string Remarks) : IProjectEvent;

public sealed record Project(string Code, string Name, string DepartmentCode, string Alliance, string Phase, DateOnly StartsOn, DateOnly EndsOn,
    DateOnly? ClosedOn, string? Remarks);

public sealed record BudgetLine(string Line, long BudgetFen);

public interface ISubProjectCommand { DateTimeOffset At { get; } }

public sealed record ApproveSubProject(string Code, string ProjectCode, string Title, string UndertakingMember, IReadOnlyList<BudgetLine> Budget,
    DateTimeOffset At) : ISubProjectCommand;
public sealed record AllocateFunds(string AllocationId, int FiscalYear, long AmountFen, DateOnly AllocatedOn, DateTimeOffset At) : ISubProjectCommand;
public sealed record ReturnFunds(string ReturnId, long AmountFen, DateOnly ReturnedOn, string Reason, DateTimeOffset At) : ISubProjectCommand;
public sealed record RecordExpenditure(string ExpenditureId, string Line, long AmountFen, DateOnly SpentOn, string Voucher, string Description,
    DateTimeOffset At) : ISubProjectCommand;
public sealed record ReverseExpenditure(string ExpenditureId, string Reason, DateOnly ReversedOn, DateTimeOffset At) : ISubProjectCommand;
public sealed record AcceptSubProject(DateOnly AcceptedOn, string Grade, decimal? Score, string Remarks, DateTimeOffset At) : ISubProjectCommand;

public sealed record SubProjectApproved(string Code, string ProjectCode, string Title, string UndertakingMember, IReadOnlyList<BudgetLine> Budget,
    DateTimeOffset ApprovedAt) : ISubProjectEvent;
public sealed record FundsAllocated(string SubProject, string AllocationId, int FiscalYear, long AmountFen, string DepartmentCode, DateOnly BusinessDate) : ISubProjectEvent;
public sealed record FundsReturned(string SubProject, string ReturnId, long AmountFen, string Reason, string DepartmentCode, DateOnly BusinessDate) : ISubProjectEvent;
public sealed record FundsMovedOut(string SubProject, string MoveId, string ToSubProject, long AmountFen, string Reason, DateOnly BusinessDate) : ISubProjectEvent;
public sealed record FundsMovedIn(string SubProject, string MoveId, string FromSubProject, long AmountFen, string Reason, DateOnly BusinessDate) : ISubProjectEvent;
public sealed record ExpenditureRecorded(string SubProject, string ExpenditureId, string Line, long AmountFen, string Voucher, string Description,
    DateOnly BusinessDate) : ISubProjectEvent;
public sealed record ExpenditureReversed(string SubProject, string ExpenditureId, string Line, long AmountFen, string Reason, DateOnly BusinessDate) : ISubProjectEvent;
public sealed record SubProjectAccepted(string SubProject, DateOnly AcceptedOn, string Grade, decimal? Score, string Remarks) : ISubProjectEvent;

public enum SubProjectStatus { Approved, Accepted }

public sealed record Expenditure(string Id, string Line, long AmountFen, DateOnly SpentOn, string Voucher, string Description, string? ReversedBecause);

public sealed record SubProject(string Code, string ProjectCode, string Title, string UndertakingMember, IReadOnlyList<BudgetLine> Budget,
    SubProjectStatus Status, IReadOnlyList<string> Allocations, IReadOnlyList<string> Returns, IReadOnlyList<string> Moves,
    IReadOnlyList<Expenditure> Expenditures, DateOnly? AcceptedOn, string? Grade, decimal? Score, string? Remarks);

public static class FundingCodes
{
    public const string ProjectMustExist = "project_must_exist";
    public const string ProjectCodeReused = "project_code_must_not_be_reused";
    public const string ProjectMustBeForTheAlliancesDepartment = "project_department_must_be_the_alliances";
    public const string ProjectMustBeOpen = "project_must_not_be_closed";
    public const string ProjectPeriodMustBeOrdered = "project_must_not_end_before_it_starts";
    public const string SubProjectMustExist = "subproject_must_exist";
    public const string SubProjectCodeReused = "subproject_code_must_not_be_reused";
    public const string SubProjectMustBeOpen = "subproject_must_not_be_accepted";
    public const string BudgetLineMustExist = "budget_line_must_exist_in_subproject";
    public const string IdReused = "funding_id_must_not_be_reused";
    public const string FundsMustSuffice = "expenditure_must_not_exceed_available_funds";
    public const string ExpenditureMustExist = "expenditure_must_exist";
    public const string MoveMustBetweenTwo = "funds_must_move_between_two_subprojects";
}

public static class ProjectDecider
{
    public static IProjectEvent[] Decide(object command, Project? state, Alliance alliance) => (command, state) switch
    {
        (ApproveProject c, null) => Approve(c, alliance),
        (ApproveProject c, { } s) => s.Name == c.Name && s.DepartmentCode == c.DepartmentCode && s.Phase == c.Phase && s.StartsOn == c.StartsOn && s.EndsOn == c.EndsOn
            ? []
            : throw new Rejected(FundingCodes.ProjectCodeReused),
        (_, null) => throw new NotFound(FundingCodes.ProjectMustExist, "the project does not exist"),
        (CloseProject, { ClosedOn: not null }) => [],
        (CloseProject c, { } s) => [new ProjectClosed(s.Code, c.ClosedOn, c.Remarks)],
        _ => throw new InvalidOperationException($"unhandled command {command.GetType().Name}"),
    };

    private static IProjectEvent[] Approve(ApproveProject c, Alliance alliance)
    {
        if (c.DepartmentCode != alliance.DepartmentCode)
            throw new Rejected(FundingCodes.ProjectMustBeForTheAlliancesDepartment, $"{alliance.Code} reports to {alliance.DepartmentCode}");
        if (c.EndsOn < c.StartsOn) throw new Rejected(FundingCodes.ProjectPeriodMustBeOrdered);
        return [new ProjectApproved(c.Code, c.Name, c.DepartmentCode, alliance.Code, c.Phase, c.StartsOn, c.EndsOn, c.At)];
    }

    public static Project Evolve(Project? state, IProjectEvent e) => (state, e) switch
    {
        (null, ProjectApproved p) => new Project(p.Code, p.Name, p.DepartmentCode, p.Alliance, p.Phase, p.StartsOn, p.EndsOn, null, null),
        ({ } s, ProjectClosed c) => s with { ClosedOn = c.ClosedOn, Remarks = c.Remarks },
        _ => throw new InvalidOperationException($"cannot apply {e.GetType().Name}"),
    };
}

public static class SubProjectDecider
{
    /// <summary>
    /// <paramref name="availableFen"/> is what the sub-project can still spend: allocated and moved in, less returned,
    /// moved out and spent (expenditures, subsidies, rewards, covers), read under the sub-project's funding lock.
    /// </summary>
    public static ISubProjectEvent[] Decide(string code, ISubProjectCommand command, SubProject? state, Project? project, Alliance alliance, long availableFen)
    {
        var date = alliance.BusinessDate(command.At);
        if (command is ApproveSubProject approve)
        {
            if (state is not null)
                return state.ProjectCode == approve.ProjectCode && state.Title == approve.Title && state.UndertakingMember == approve.UndertakingMember &&
                       state.Budget.SequenceEqual(approve.Budget)
                    ? []
                    : throw new Rejected(FundingCodes.SubProjectCodeReused);
            var p = project ?? throw new NotFound(FundingCodes.ProjectMustExist, $"project {approve.ProjectCode} does not exist");
            if (p.ClosedOn is not null) throw new Rejected(FundingCodes.ProjectMustBeOpen);
            if (alliance.MemberOrNull(approve.UndertakingMember) is null)
                throw new NotFound(AllianceCodes.MemberMustExist, $"member {approve.UndertakingMember} does not exist in {alliance.Code}");
            return [new SubProjectApproved(approve.Code, approve.ProjectCode, approve.Title, approve.UndertakingMember, approve.Budget, approve.At)];
        }
        var s = state ?? throw new NotFound(FundingCodes.SubProjectMustExist, $"sub-project {code} does not exist");
        switch (command)
        {
            case AllocateFunds c:
                if (s.Allocations.Contains(c.AllocationId)) return [];
                Open(s, project);
                return [new FundsAllocated(s.Code, c.AllocationId, c.FiscalYear, c.AmountFen, alliance.DepartmentCode, c.AllocatedOn)];
            case ReturnFunds c:
                if (s.Returns.Contains(c.ReturnId)) return [];
                Enough(c.AmountFen, availableFen);
                return [new FundsReturned(s.Code, c.ReturnId, c.AmountFen, c.Reason, alliance.DepartmentCode, c.ReturnedOn)];
            case RecordExpenditure c:
                if (s.Expenditures.FirstOrDefault(x => x.Id == c.ExpenditureId) is { } known)
                    return known.Line == c.Line && known.AmountFen == c.AmountFen && known.SpentOn == c.SpentOn && known.Voucher == c.Voucher
                        ? []
                        : throw new Rejected(FundingCodes.IdReused, $"expenditure {c.ExpenditureId} is recorded with other details");
                Open(s, project);
                if (s.Budget.All(b => b.Line != c.Line))
                    throw new Rejected(FundingCodes.BudgetLineMustExist, $"{s.Code} budgets {string.Join(", ", s.Budget.Select(b => b.Line))}");
                Enough(c.AmountFen, availableFen);
                return [new ExpenditureRecorded(s.Code, c.ExpenditureId, c.Line, c.AmountFen, c.Voucher, c.Description, c.SpentOn)];
            case ReverseExpenditure c:
                var e = s.Expenditures.FirstOrDefault(x => x.Id == c.ExpenditureId)
                        ?? throw new NotFound(FundingCodes.ExpenditureMustExist, $"expenditure {c.ExpenditureId} does not exist");
                if (e.ReversedBecause is not null) return [];
                Open(s, project);
                return [new ExpenditureReversed(s.Code, e.Id, e.Line, e.AmountFen, c.Reason, c.ReversedOn)];
            case AcceptSubProject c:
                if (s.Status == SubProjectStatus.Accepted) return [];
                return [new SubProjectAccepted(s.Code, c.AcceptedOn, c.Grade, c.Score, c.Remarks)];
            default:
                throw new InvalidOperationException($"unhandled command {command.GetType().Name}");
        }
    }

    /// <summary>Money leaves a sub-project only while it and its project are open, and only what it has.</summary>
    private static void Open(SubProject s, Project? project)
    {
        if (s.Status == SubProjectStatus.Accepted) throw new Rejected(FundingCodes.SubProjectMustBeOpen, $"{s.Code} was accepted on {s.AcceptedOn:yyyy-MM-dd}");
        if (project?.ClosedOn is not null) throw new Rejected(FundingCodes.ProjectMustBeOpen, $"project {project.Code} is closed");
    }

    public static void Enough(long amountFen, long availableFen)
    {
        if (amountFen > availableFen)
            throw new Rejected(FundingCodes.FundsMustSuffice, $"{Money.Fen.ToAmount(availableFen)} is allocated and not yet spent");
    }

    /// <summary>Both sides of a move, decided together.</summary>
    public static (FundsMovedOut Out, FundsMovedIn In)? Move(string moveId, SubProject from, SubProject to, Project? fromProject, long amountFen, string reason,
        DateOnly movedOn, long availableFromFen)
    {
        if (from.Code == to.Code) throw new Rejected(FundingCodes.MoveMustBetweenTwo);
        if (from.Moves.Contains(moveId)) return null;
        Open(from, fromProject);
        if (to.Status == SubProjectStatus.Accepted) throw new Rejected(FundingCodes.SubProjectMustBeOpen, $"{to.Code} was accepted");
        Enough(amountFen, availableFromFen);
        return (new FundsMovedOut(from.Code, moveId, to.Code, amountFen, reason, movedOn), new FundsMovedIn(to.Code, moveId, from.Code, amountFen, reason, movedOn));
    }

    public static SubProject Evolve(SubProject? state, ISubProjectEvent e) => (state, e) switch
    {
        (null, SubProjectApproved a) => new SubProject(a.Code, a.ProjectCode, a.Title, a.UndertakingMember, a.Budget, SubProjectStatus.Approved,
            [], [], [], [], null, null, null, null),
        ({ } s, FundsAllocated f) => s with { Allocations = [.. s.Allocations, f.AllocationId] },
        ({ } s, FundsReturned r) => s with { Returns = [.. s.Returns, r.ReturnId] },
        ({ } s, FundsMovedOut m) => s with { Moves = [.. s.Moves, m.MoveId] },
        ({ } s, FundsMovedIn m) => s with { Moves = [.. s.Moves, m.MoveId] },
        ({ } s, ExpenditureRecorded x) => s with
        {
            Expenditures = [.. s.Expenditures, new Expenditure(x.ExpenditureId, x.Line, x.AmountFen, x.BusinessDate, x.Voucher, x.Description, null)],
        },
        ({ } s, ExpenditureReversed r) => s with
        {
            Expenditures = s.Expenditures.Select(x => x.Id == r.ExpenditureId ? x with { ReversedBecause = r.Reason } : x).ToList(),
        },
        ({ } s, SubProjectAccepted a) => s with { Status = SubProjectStatus.Accepted, AcceptedOn = a.AcceptedOn, Grade = a.Grade, Score = a.Score, Remarks = a.Remarks },
        _ => throw new InvalidOperationException($"cannot apply {e.GetType().Name}"),
    };
}
