using Marten;
using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

public static class PatientWrites
{
    /// <summary>An MRN is unique within the practice, ignoring case (the key is what enforces it under concurrency).</summary>
    public static readonly UniqueKeyKind MrnKey = new("patient-mrn", "mrn-taken", mrn => $"Another patient of this practice already has MRN {mrn}.");

    public static async Task<Patient> Register(IDocumentSession session, RegisterPatient input, string actor, TimeProvider clock,
        CancellationToken ct)
    {
        var mrn = input.Mrn?.Trim() ?? "";
        // A friendly early answer, also for patients registered before the key existed; the key decides races.
        if (mrn.Length > 0 && await session.Query<Patient>().AnyAsync(p => p.Mrn.Equals(mrn, StringComparison.OrdinalIgnoreCase), ct))
            throw MrnKey.Violation(mrn);
        var patient = Start(session, input, actor, clock.GetUtcNow());
        await session.SaveClaimingAsync(MrnKey, mrn, ct);
        return patient;
    }

    /// <summary>Validates and queues a new patient stream with its MRN key; the caller saves (alone, or with a whole CSV batch).</summary>
    public static Patient Start(IDocumentSession session, RegisterPatient input, string actor, DateTimeOffset now)
    {
        var errors = new FieldErrors()
            .Check(Identifiers.IsValidMrn(input.Mrn?.Trim()), "mrn", "Use 1–20 letters, digits or dashes.");
        var demographics = input.ToDemographics(errors, now);
        errors.ThrowIfAny("The patient cannot be registered.");
        var registered = new PatientRegistered(Guid.CreateVersion7(), input.Mrn!.Trim(), demographics, actor, now);
        session.Events.StartStream<Patient>(registered.PatientId, registered);
        session.Claim(MrnKey, registered.Mrn, registered.PatientId, now);
        return Patient.Create(registered);
    }

    public static async Task<Patient?> Correct(IDocumentSession session, Guid patientId, long? expectedVersion, CorrectDemographics input,
        string actor, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var errors = new FieldErrors();
        var demographics = input.ToDemographics(errors, now);
        errors.ThrowIfAny("The demographics cannot be corrected.");
        var stream = await Fetch<Patient>(session, patientId, expectedVersion, ct);
        if (stream.Aggregate is null) return null;
        var corrected = stream.Aggregate.Correct(demographics, input.Reason.Trim(), actor, now);
        stream.AppendOne(corrected);
        await session.SaveChangesAsync(ct);
        return stream.Aggregate.Apply(corrected) with { Version = stream.CurrentVersion ?? stream.Aggregate.Version + 1 };
    }

    public static async Task<Patient?> AddCoverage(IDocumentSession session, Guid patientId, long? expectedVersion, AddCoverage input,
        string actor, TimeProvider clock, CancellationToken ct)
    {
        var payer = await session.LoadAsync<Payer>(input.PayerId!.Value, ct);
        new FieldErrors()
            .Check(payer is not null, "payerId", "No payer with this id in this practice.")
            .Check(input.EffectiveTo is null || input.EffectiveTo >= input.EffectiveFrom, "effectiveTo", "Must not be before effectiveFrom.")
            .Check(!string.IsNullOrWhiteSpace(input.MemberId), "memberId", "Give the member id on the insurance card.")
            .ThrowIfAny("The coverage cannot be added.");
        var stream = await Fetch<Patient>(session, patientId, expectedVersion, ct);
        if (stream.Aggregate is null) return null;
        var coverage = new Coverage(Guid.CreateVersion7(), payer!.Id, payer.Name, input.MemberId.Trim(), input.SubscriberName.Trim(),
            input.Relationship, Blank(input.GroupNumber), input.Priority, input.EffectiveFrom!.Value, input.EffectiveTo);
        var added = stream.Aggregate.AddCoverage(coverage, actor, clock.GetUtcNow());
        stream.AppendOne(added);
        await session.SaveChangesAsync(ct);
        return stream.Aggregate.Apply(added) with { Version = stream.CurrentVersion ?? stream.Aggregate.Version + 1 };
    }

    static Demographics ToDemographics(this IDemographicsInput input, FieldErrors errors, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        errors.Check(!string.IsNullOrWhiteSpace(input.FirstName), "firstName", "Give the patient's first name.")
              .Check(!string.IsNullOrWhiteSpace(input.LastName), "lastName", "Give the patient's last name.")
              .Check(input.BirthDate is { } dob && dob <= today && dob.Year >= 1900, "birthDate",
                  "Give a date of birth between 1900-01-01 and today.");
        var hasAddress = !string.IsNullOrWhiteSpace(input.AddressLine1);
        if (hasAddress)
            errors.Check(!string.IsNullOrWhiteSpace(input.City), "city", "An address needs a city.")
                  .Check(input.State?.Trim() is { Length: 2 } s && s.All(char.IsAsciiLetter), "state", "Use the two-letter state code.")
                  .Check(input.PostalCode?.Trim() is { Length: 5 or 10 } z && char.IsAsciiDigit(z[0]), "postalCode", "Use a ZIP or ZIP+4.");
        var address = hasAddress
            ? new Address(input.AddressLine1!.Trim(), Blank(input.AddressLine2), input.City?.Trim() ?? "",
                input.State?.Trim().ToUpperInvariant() ?? "", input.PostalCode?.Trim() ?? "")
            : null;
        return new Demographics(input.FirstName?.Trim() ?? "", input.LastName?.Trim() ?? "", input.BirthDate ?? default, input.Sex,
            address, Blank(input.Phone));
    }

    internal static async Task<JasperFx.Events.IEventStream<T>> Fetch<T>(IDocumentSession session, Guid id, long? expectedVersion,
        CancellationToken ct) where T : class =>
        expectedVersion is { } v
            ? await session.Events.FetchForWriting<T>(id, v, ct)
            : await session.Events.FetchForWriting<T>(id, ct);

    internal static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

public static class ProviderWrites
{
    public static readonly UniqueKeyKind NpiKey =
        new("provider-npi", "npi-taken", npi => $"A provider with NPI {npi} is already enrolled in this practice.");

    /// <summary>
    /// Links the portal user who answers the provider's coding queries (a user of this practice with the provider role, linked
    /// to no other provider), or unlinks with a null user id. 422 for a user who does not qualify, 409 if linked elsewhere.
    /// </summary>
    public static async Task<Provider?> LinkUser(IDocumentSession session, Microsoft.AspNetCore.Identity.UserManager<Identity.PortalUser> users,
        Guid practiceId, Guid providerId, long? expectedVersion, LinkProviderUser input, string actor, TimeProvider clock, CancellationToken ct)
    {
        var stream = await PatientWrites.Fetch<Provider>(session, providerId, expectedVersion, ct);
        if (stream.Aggregate is not { } provider) return null;
        string? name = null;
        if (input.UserId is { } userId)
        {
            var user = await users.FindByIdAsync(userId.ToString());
            if (user is null || user.OrganizationId != practiceId || !await users.IsInRoleAsync(user, Roles.Provider))
                throw new UnprocessableInput("This user cannot answer the provider's queries.",
                    new Dictionary<string, string[]> { ["userId"] = ["Pick a user of this practice with the provider role."] });
            var taken = await session.Query<Provider>().FirstOrDefaultAsync(p => p.UserId == userId && p.Id != providerId, ct);
            if (taken is not null)
                throw new RuleViolation($"{user.DisplayName} is already linked to {taken.Name}; unlink that provider first.", "user-linked");
            name = user.DisplayName;
        }
        if (provider.UserId == input.UserId) return provider;
        var linked = new ProviderUserLinked(providerId, input.UserId, name, actor, clock.GetUtcNow());
        stream.AppendOne(linked);
        await session.SaveChangesAsync(ct);
        return provider.Apply(linked) with { Version = stream.CurrentVersion ?? provider.Version + 1 };
    }

    public static async Task<Provider> Enroll(IDocumentSession session, EnrollProvider input, string actor, TimeProvider clock,
        CancellationToken ct)
    {
        var npi = input.Npi?.Trim() ?? "";
        Check(input);
        if (await session.Query<Provider>().AnyAsync(p => p.Npi == npi, ct)) throw NpiKey.Violation(npi);
        var provider = Start(session, input, actor, clock.GetUtcNow());
        await session.SaveClaimingAsync(NpiKey, npi, ct);
        return provider;
    }

    /// <summary>Validates and queues a new provider stream with its NPI key; the caller saves (alone, or with a whole FHIR bundle).</summary>
    public static Provider Start(IDocumentSession session, EnrollProvider input, string actor, DateTimeOffset now)
    {
        Check(input);
        var enrolled = new ProviderEnrolled(Guid.CreateVersion7(), input.Name.Trim(), input.Npi.Trim(), input.Type,
            input.TaxonomyCode!.Trim().ToUpperInvariant(), actor, now);
        session.Events.StartStream<Provider>(enrolled.ProviderId, enrolled);
        session.Claim(NpiKey, enrolled.Npi, enrolled.ProviderId, enrolled.At);
        return Provider.Create(enrolled);
    }

    static void Check(EnrollProvider input) =>
        new FieldErrors()
            .Check(Identifiers.IsValidNpi(input.Npi?.Trim()), "npi", "An NPI is 10 digits with a valid check digit (Luhn with the 80840 prefix).")
            .Check(Identifiers.IsValidTaxonomy(input.TaxonomyCode?.Trim().ToUpperInvariant()), "taxonomyCode",
                "A NUCC taxonomy code is 10 characters ending in X, e.g. 207Q00000X.")
            .Check(!string.IsNullOrWhiteSpace(input.Name), "name", "Give the provider's name.")
            .ThrowIfAny("The provider cannot be enrolled.");
}

public static class PayerWrites
{
    public static readonly UniqueKeyKind PayerIdKey =
        new("payer-id", "payer-id-taken", code => $"A payer with payer id {code} already exists in this practice.");

    public static async Task<Payer> Add(IDocumentSession session, AddPayer input, string actor, TimeProvider clock, CancellationToken ct)
    {
        var code = input.ClearinghousePayerId?.Trim().ToUpperInvariant() ?? "";
        Check(input);
        if (await session.Query<Payer>().AnyAsync(p => p.ClearinghousePayerId == code, ct)) throw PayerIdKey.Violation(code);
        var payer = Start(session, input, actor, clock.GetUtcNow());
        await session.SaveClaimingAsync(PayerIdKey, code, ct);
        return payer;
    }

    /// <summary>Validates and queues a new payer stream with its payer-id key; the caller saves.</summary>
    public static Payer Start(IDocumentSession session, AddPayer input, string actor, DateTimeOffset now)
    {
        Check(input);
        var added = new PayerAdded(Guid.CreateVersion7(), input.Name.Trim(), input.ClearinghousePayerId.Trim().ToUpperInvariant(),
            input.TimelyFilingDays ?? Payer.DefaultTimelyFilingDays, actor, now);
        session.Events.StartStream<Payer>(added.PayerId, added);
        session.Claim(PayerIdKey, added.ClearinghousePayerId, added.PayerId, added.At);
        return Payer.Create(added);
    }

    static void Check(AddPayer input) =>
        new FieldErrors()
            .Check(Identifiers.IsValidPayerId(input.ClearinghousePayerId?.Trim().ToUpperInvariant()), "clearinghousePayerId",
                "Use the 2–15 letters or digits your clearinghouse assigns.")
            .Check(!string.IsNullOrWhiteSpace(input.Name), "name", "Give the payer's name.")
            .Check(input.TimelyFilingDays is null or (>= 1 and <= 3650), "timelyFilingDays", "Use 1–3650 days.")
            .ThrowIfAny("The payer cannot be added.");
}

public static class EncounterWrites
{
    public static async Task<EncounterDetails> Open(IDocumentSession session, OpenEncounter input, string source, string actor,
        TimeProvider clock, CancellationToken ct)
    {
        var patient = await session.LoadAsync<Patient>(input.PatientId!.Value, ct);
        var rendering = await session.LoadAsync<Provider>(input.RenderingProviderId!.Value, ct);
        var billing = input.BillingProviderId is { } b && b != rendering?.Id ? await session.LoadAsync<Provider>(b, ct) : rendering;
        new FieldErrors()
            .Check(patient is not null, "patientId", "No patient with this id in this practice.")
            .Check(rendering is not null, "renderingProviderId", "No provider with this id in this practice.")
            .Check(billing is not null || rendering is null, "billingProviderId", "No provider with this id in this practice.")
            .ThrowIfAny("The encounter refers to records this practice does not have.");
        var opened = Start(session, input with { BillingProviderId = billing!.Id }, patient!, rendering!, billing, source, actor,
            clock.GetUtcNow());
        await session.SaveChangesAsync(ct);
        return EncounterDetailsProjection.Create(opened);
    }

    /// <summary>Validates against the already loaded patient and providers and queues the new stream; the caller saves.</summary>
    public static EncounterOpened Start(IDocumentSession session, OpenEncounter input, Patient patient, Provider rendering, Provider billing,
        string source, string actor, DateTimeOffset now)
    {
        var dos = input.DateOfService ?? default;
        var pos = input.PlaceOfService?.Trim() ?? "";
        var coverage = input.CoverageId is { } c ? patient.Coverages.FirstOrDefault(x => x.Id == c) : null;
        new FieldErrors()
            .Check(input.DateOfService is not null && dos <= DateOnly.FromDateTime(now.UtcDateTime), "dateOfService",
                "The date of service cannot be in the future.")
            .Check(dos.Year >= 2000, "dateOfService", "The date of service is implausibly old.")
            .Check(Identifiers.PlacesOfService.ContainsKey(pos), "placeOfService",
                $"Use a two-digit CMS place-of-service code: {string.Join(", ", Identifiers.PlacesOfService.Keys)}.")
            .Check(input.CoverageId is null || coverage is not null, "coverageId", "This coverage does not belong to the patient.")
            .Check(coverage is null || (coverage.EffectiveFrom <= dos && (coverage.EffectiveTo ?? DateOnly.MaxValue) >= dos),
                "coverageId", "The coverage is not in effect on the date of service.")
            .ThrowIfAny("The encounter cannot be opened.");
        var opened = new EncounterOpened(Guid.CreateVersion7(), patient.Id, patient.Name, patient.Mrn, rendering.Id, rendering.Name,
            billing.Id, billing.Name, dos, pos, coverage?.Id, coverage?.PayerName, PatientWrites.Blank(input.VisitNotes), source, actor, now);
        session.Events.StartStream<Encounter>(opened.EncounterId, opened);
        return opened;
    }

    public static async Task<EncounterDetails?> ReviseNotes(IDocumentSession session, Guid encounterId, long? expectedVersion,
        ReviseVisitNotes input, string actor, TimeProvider clock, CancellationToken ct)
    {
        var stream = await PatientWrites.Fetch<Encounter>(session, encounterId, expectedVersion, ct);
        if (stream.Aggregate is null) return null;
        stream.AppendOne(stream.Aggregate.ReviseNotes(input.VisitNotes.Trim(), input.Reason.Trim(), actor, clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);
        var details = await session.LoadAsync<EncounterDetails>(encounterId, ct);
        return details?.WithState((await session.Events.FetchLatest<Encounter>(encounterId, ct))!);
    }

    /// <summary>
    /// Checks and stores an upload. The type comes from the bytes (<see cref="DocumentTypes.Sniff"/>), never from the client;
    /// the stored record's id is ours, and the client's file name is kept only as a display name, cleaned.
    /// 413 above <paramref name="maxBytes"/>, 415 for a type outside the allow-list, 422 for an empty file.
    /// </summary>
    public static async Task<DocumentSummary?> AttachDocument(IDocumentSession session, Guid encounterId, long? expectedVersion,
        string fileName, Stream content, long maxBytes, string actor, TimeProvider clock, CancellationToken ct)
    {
        var bytes = await DocumentTypes.ReadAtMost(content, maxBytes, ct)
            ?? throw new RefusedContent(StatusCodes.Status413PayloadTooLarge, "The document is too large.",
                $"A document may be at most {DocumentOptions.Describe(maxBytes)}.");
        new FieldErrors().Check(bytes.Length > 0, "file", "The file is empty.").ThrowIfAny("The document cannot be attached.");
        var contentType = DocumentTypes.Sniff(bytes)
            ?? throw new RefusedContent(StatusCodes.Status415UnsupportedMediaType, "This type of document is not accepted.",
                $"Attach {DocumentTypes.Accepted}; the type is read from the file's content, not its name.");
        var stream = await PatientWrites.Fetch<Encounter>(session, encounterId, expectedVersion, ct);
        if (stream.Aggregate is null) return null;
        var name = DocumentTypes.DisplayName(fileName, contentType);
        var attached = stream.Aggregate.Attach(Guid.CreateVersion7(), name, contentType, bytes.Length, actor, clock.GetUtcNow());
        stream.AppendOne(attached);
        session.Store(new EncounterDocument(attached.DocumentId, encounterId, name, contentType, bytes));
        await session.SaveChangesAsync(ct);
        return new DocumentSummary(attached.DocumentId, name, contentType, bytes.Length, actor, attached.At);
    }
}
