using System.Text.Json.Serialization;
using Portal.Billing.PatientBilling;

namespace Portal.Web.Features.PatientBalances;

// The patient account stream: one per patient, in the practice's tenant, id PatientAccount.StreamIdFor(patientId) (not the
// patient stream's id: the intake feature owns that one). What the patient pays, what is refunded, statements, holds,
// collections and payment plans. Every event carries the patient id (the ledger projection groups on it), who and when.

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum PatientPaymentMethod { Cash, Check, CardPresent, Online }

/// <summary>A payment from the patient. Source "front-desk" or "stripe"; StripePaymentIntentId makes a card payment unique per practice.
/// PossibleDuplicateOf: a payment from the other source for the same amount within the duplicate window (a person checks).</summary>
public sealed record PatientPaymentReceived(Guid PatientId, Guid PaymentId, decimal Amount, PatientPaymentMethod Method, string? Reference,
    string Source, string? StripePaymentIntentId, Guid? PossibleDuplicateOf, string? Note, string By, DateTimeOffset At);

/// <summary>Money given back to the patient (reverses part or all of a payment): with reason, and the approver's name.</summary>
public sealed record PatientPaymentRefunded(Guid PatientId, Guid PaymentId, Guid RefundId, decimal Amount, string Reason, string? Approver,
    string? StripeRefundId, string By, DateTimeOffset At);

/// <summary>The card holder disputed a card payment (Stripe charge.dispute.created): the amount is reversed until the dispute is won.</summary>
public sealed record PatientPaymentDisputed(Guid PatientId, Guid PaymentId, string DisputeId, decimal Amount, string Reason, string By,
    DateTimeOffset At);

/// <summary>Where statements go by e-mail (null: by post only).</summary>
public sealed record StatementEmailChanged(Guid PatientId, string? Email, string By, DateTimeOffset At);

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum StatementDelivery { Email, Print }

public sealed record StatementIssued(Guid PatientId, Guid StatementId, Guid RunId, Notice Notice, decimal AmountDue, DateOnly StatementDate,
    DateOnly DueDate, StatementDelivery Delivery, string By, DateTimeOffset At);

/// <summary>No statements while held (insurance still pending, a complaint, a billing question), with why.</summary>
public sealed record PatientAccountHeld(Guid PatientId, string Reason, string By, DateTimeOffset At);

public sealed record PatientAccountHoldReleased(Guid PatientId, string Reason, string By, DateTimeOffset At);

/// <summary>Sent to a collection agency: statements stop; the balance stays on the ledger.</summary>
public sealed record PatientSentToCollections(Guid PatientId, decimal Balance, string Reason, string? Agency, string By, DateTimeOffset At);

public sealed record PatientRecalledFromCollections(Guid PatientId, string Reason, string By, DateTimeOffset At);

public sealed record PaymentPlanAgreed(Guid PatientId, Guid PlanId, decimal Total, Instalment[] Instalments, string By, DateTimeOffset At);

public sealed record PaymentPlanCancelled(Guid PatientId, Guid PlanId, string Reason, string By, DateTimeOffset At);
