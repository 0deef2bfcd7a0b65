using Ledger.Domain.Deliveries;
using Ledger.Domain.Loans;

namespace Ledger.Domain.Funding;

// A filled request whose subsidy and reward were not granted because the grant's sub-project had not enough funds left:
// the borrower paid the whole fee. Recorded in the loan's or delivery's stream beside the shipment or fulfilment.

public sealed record LoanGrantWithheld(string LoanId, string FundingReference, long WantedFen, long AvailableFen, DateOnly BusinessDate, string? BudgetLine = null) : ILoanEvent;

public sealed record DeliveryGrantWithheld(string DeliveryId, string FundingReference, long WantedFen, long AvailableFen, DateOnly BusinessDate, string? BudgetLine = null) : IDeliveryEvent;
