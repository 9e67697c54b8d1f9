namespace Portal.Billing.PatientBilling;

/// <summary>Stripe counts money in the currency's smallest unit (cents for USD); Portal in dollars to the cent.</summary>
public static class Money
{
    public static long ToCents(decimal dollars) => (long)decimal.Round(dollars * 100m, 0, MidpointRounding.AwayFromZero);

    public static decimal FromCents(long cents) => cents / 100m;
}
