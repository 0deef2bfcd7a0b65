using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ledger.Domain.Ledger;

namespace Ledger.Domain.Settlement;

/// <summary>One posting as the netting reads it: its event, line index, account, amount and business date.</summary>
public sealed record NettingLine(Guid EventId, int Index, string Account, long AmountFen, DateOnly BusinessDate, long Sequence);

public static class Netting
{
    /// <summary>
    /// The netting of a period from its postings and the accounts' opening balances: every account's position (they
    /// sum to zero), the bilateral flows between accounts (net per pair), and every member's statement summary.
    /// </summary>
    public static PeriodNetting Compute(IReadOnlyList<NettingLine> lines, IReadOnlyDictionary<string, long> openings, IEnumerable<string> members)
    {
        var movement = lines.GroupBy(l => l.Account).ToDictionary(g => g.Key, g => g.Sum(l => l.AmountFen), StringComparer.Ordinal);
        var memberAccounts = members.Select(Account.Member).ToHashSet(StringComparer.Ordinal);
        var accounts = movement.Keys.Concat(openings.Keys).Concat(memberAccounts).Distinct().Order(StringComparer.Ordinal)
            .Select(a =>
            {
                var opening = openings.GetValueOrDefault(a);
                var moved = movement.GetValueOrDefault(a);
                return new AccountPosition(a, opening, moved, opening + moved);
            }).ToList();

        var statements = memberAccounts.Order(StringComparer.Ordinal).Select(a =>
        {
            var own = Ordered(lines.Where(l => l.Account == a));
            var opening = openings.GetValueOrDefault(a);
            var moved = own.Sum(l => l.AmountFen);
            return new StatementSummary(a["member:".Length..], opening, moved, opening + moved, own.Count, Digest(own));
        }).ToList();

        var flows = lines.GroupBy(l => l.EventId).SelectMany(g => Flows(g.OrderBy(l => l.Index).ToList()));
        return new PeriodNetting(accounts, NetPairs(flows), statements, lines.Count);
    }

    /// <summary>Statement order: business date, then sequence, then line index.</summary>
    public static List<NettingLine> Ordered(IEnumerable<NettingLine> lines) =>
        lines.OrderBy(l => l.BusinessDate).ThenBy(l => l.Sequence).ThenBy(l => l.Index).ToList();

    /// <summary>SHA-256 over the statement's lines in order, one "event:index|account|amount|date" per line.</summary>
    public static string Digest(IReadOnlyList<NettingLine> ordered)
    {
        var text = new StringBuilder();
        foreach (var l in ordered)
            text.Append(CultureInfo.InvariantCulture, $"{l.EventId:N}:{l.Index}|{l.Account}|{l.AmountFen}|{l.BusinessDate:yyyy-MM-dd}\n");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))).ToLowerInvariant();
    }

    /// <summary>
    /// Who paid whom within one event: debits (payers) are matched to credits (payees) in line order, greedily. The
    /// flows of an event sum to its debits, which equal its credits.
    /// </summary>
    public static IEnumerable<BilateralFlow> Flows(IReadOnlyList<NettingLine> eventLines)
    {
        var payers = eventLines.Where(l => l.AmountFen < 0).Select(l => (l.Account, Left: -l.AmountFen)).ToList();
        var payees = eventLines.Where(l => l.AmountFen > 0).Select(l => (l.Account, Left: l.AmountFen)).ToList();
        int i = 0, j = 0;
        while (i < payers.Count && j < payees.Count)
        {
            var amount = Math.Min(payers[i].Left, payees[j].Left);
            if (payers[i].Account != payees[j].Account) yield return new BilateralFlow(payers[i].Account, payees[j].Account, amount);
            payers[i] = (payers[i].Account, payers[i].Left - amount);
            payees[j] = (payees[j].Account, payees[j].Left - amount);
            if (payers[i].Left == 0) i++;
            if (payees[j].Left == 0) j++;
        }
    }

    /// <summary>Flows netted per pair of accounts, each pair once (from the one that paid more, to the other), largest first.</summary>
    public static IReadOnlyList<BilateralFlow> NetPairs(IEnumerable<BilateralFlow> flows)
    {
        var net = new Dictionary<(string, string), long>();
        foreach (var f in flows)
        {
            var (a, b, amount) = string.CompareOrdinal(f.From, f.To) < 0 ? (f.From, f.To, f.AmountFen) : (f.To, f.From, -f.AmountFen);
            net[(a, b)] = net.GetValueOrDefault((a, b)) + amount;
        }
        return net.Where(kv => kv.Value != 0)
            .Select(kv => kv.Value > 0 ? new BilateralFlow(kv.Key.Item1, kv.Key.Item2, kv.Value) : new BilateralFlow(kv.Key.Item2, kv.Key.Item1, -kv.Value))
            .OrderByDescending(f => f.AmountFen).ThenBy(f => f.From, StringComparer.Ordinal).ThenBy(f => f.To, StringComparer.Ordinal)
            .ToList();
    }
}
