using System.Globalization;
using System.Security.Cryptography;
using Hl7.Fhir.Serialization;
using Marten;
using Portal.Web.Features.Intake;
using R4 = Hl7.Fhir.Model;

namespace Portal.Web.Features.Fhir;

/// <summary>What went wrong with one element of the bundle: an OperationOutcome issue (code from the FHIR issue-type value set).</summary>
public sealed record FhirIssue(string Code, string Expression, string Message, int? Entry);

/// <summary>The answer to an import: the transaction-response bundle, or the issues that refused the whole bundle (Status 400/409/422).</summary>
public sealed record FhirImportOutcome(R4.Bundle? Response, IReadOnlyList<FhirIssue> Issues, int Status);

/// <summary>
/// Imports a FHIR R4 transaction Bundle into intake, all or nothing: every entry is checked first, and only a bundle without a
/// single issue is saved, in one transaction, through the same write functions as the intake API (so MRN, NPI and payer id stay
/// unique per practice). Records the practice already has (same MRN, NPI, payer id, encounter identifier or visit, coverage,
/// documented code, document bytes) are not created again: their entries answer 200 instead of 201, so a bundle sent twice
/// creates nothing the second time. Mapping table: docs/fhir.md.
/// </summary>
public static class FhirImport
{
    /// <summary>An encounter identifier (system|value) names one encounter of the practice.</summary>
    public static readonly UniqueKeyKind EncounterKey =
        new("fhir-encounter", "encounter-identifier-taken", id => $"Another encounter of this practice already has identifier {id}.");

    /// <summary>The same bytes attached to the same encounter once (encounter id : SHA-256).</summary>
    public static readonly UniqueKeyKind DocumentKey =
        new("fhir-document", "document-imported", _ => "This document is already attached to the encounter.");

    const int MaxAttempts = 3;

    static readonly FhirJsonDeserializer Deserializer = new(new DeserializerSettings());

    public static async Task<FhirImportOutcome> Import(IDocumentSession session, string json, string actor, string practiceUrl,
        long maxDocumentBytes, TimeProvider clock, CancellationToken ct)
    {
        var (resource, parseIssues) = Parse(json);
        if (resource is null) return new FhirImportOutcome(null, parseIssues, StatusCodes.Status400BadRequest);
        if (resource is not R4.Bundle bundle)
            return new FhirImportOutcome(null, [new FhirIssue("invalid", resource.TypeName, $"Send a transaction Bundle, not a {resource.TypeName}.", null)],
                StatusCodes.Status422UnprocessableEntity);
        // One import of a practice at a time: the run's reads are several queries, and another import of the same records
        // committing between them (the same bundle sent twice at once) could make a record look both new and already present.
        // The lock is the transaction's, so the reads, the writes and the commit all come after the other import's commit.
        await session.BeginTransactionAsync(ct);
        await using (var serialize = new Npgsql.NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended(@key, 0))", session.Connection))
        {
            serialize.Parameters.AddWithValue("key", "portal.fhir-import:" + session.TenantId);
            await serialize.ExecuteNonQueryAsync(ct);
        }
        for (var attempt = 1; ; attempt++)
        {
            var run = new ImportRun(session, bundle, actor, clock.GetUtcNow(), practiceUrl, maxDocumentBytes);
            await run.Execute(ct);
            if (run.Issues.Count > 0)
            {
                session.EjectAllPendingChanges();
                // The run's reads are several queries: another import of the same records committing between them (the same bundle
                // sent twice at once) can make a record look both new and already present, which the writes refuse as a conflict.
                // Looking again sees that import whole; a conflict that stays is the bundle's own.
                if (attempt < MaxAttempts && run.Issues.All(i => i.Code == "conflict")) continue;
                var status = run.Issues.All(i => i.Code == "conflict") ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity;
                return new FhirImportOutcome(null, run.Issues, status);
            }
            try
            {
                await session.SaveChangesAsync(ct);
                return new FhirImportOutcome(run.ResponseBundle(), [], StatusCodes.Status200OK);
            }
            catch (Exception e) when (attempt < MaxAttempts && UniqueKeys.ConflictingKey(e) is not null)
            {
                // Another writer registered one of the bundle's records meanwhile: look again, it is "already present" now.
                session.EjectAllPendingChanges();
            }
        }
    }

    static (R4.Resource?, IReadOnlyList<FhirIssue>) Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return (null, [new FhirIssue("required", "Bundle", "Send a FHIR R4 transaction Bundle as application/fhir+json.", null)]);
        try
        {
            if (!Deserializer.TryDeserializeResource(json, out var resource, out var problems))
                return (null, [.. problems.Select(p => new FhirIssue("structure", "Bundle", p.Message, null))]);
            return (resource, []);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or DeserializationFailedException or FormatException or InvalidOperationException)
        {
            return (null, [new FhirIssue("structure", "Bundle", "The body is not FHIR JSON: " + e.Message, null)]);
        }
    }

    /// <summary>One pass over the bundle: checks every entry, queues the writes of the good ones, and remembers each entry's answer.</summary>
    sealed class ImportRun(IDocumentSession session, R4.Bundle bundle, string actor, DateTimeOffset now, string baseUrl, long maxDocumentBytes)
    {
        static readonly HashSet<string> Supported =
            ["Patient", "Coverage", "Practitioner", "Organization", "Encounter", "Condition", "Procedure", "DocumentReference"];

        public List<FhirIssue> Issues { get; } = [];
        readonly HashSet<int> failed = [];
        readonly Dictionary<string, int> references = new(StringComparer.Ordinal);
        readonly Dictionary<int, (bool Created, string Location)> answers = [];

        readonly Dictionary<int, Patient> patients = [];
        readonly Dictionary<Guid, Patient> patientNow = [];
        readonly Dictionary<int, Provider> providers = [];
        readonly Dictionary<int, Payer> payers = [];
        readonly Dictionary<int, Coverage> coverages = [];
        readonly Dictionary<int, EncounterState> encounters = [];

        sealed class EncounterState(Guid id, Guid patientId, Encounter? aggregate, bool created, DocumentedCode[] diagnoses, DocumentedCode[] procedures)
        {
            public Guid Id { get; } = id;
            public Guid PatientId { get; } = patientId;
            public Encounter? Aggregate { get; set; } = aggregate;
            public bool Created { get; } = created;
            public List<DocumentedCode> Diagnoses { get; } = [.. diagnoses];
            public List<DocumentedCode> Procedures { get; } = [.. procedures];
            public List<DocumentedCode> NewDiagnoses { get; } = [];
            public List<DocumentedCode> NewProcedures { get; } = [];
        }

        IEnumerable<(int Index, T Resource)> Of<T>() where T : R4.Resource =>
            bundle.Entry.Select((e, i) => (Index: i, Resource: e.Resource as T)).Where(x => x.Resource is not null && !failed.Contains(x.Index))
                .Select(x => (x.Index, x.Resource!));

        void Fail(int entry, string code, string field, string message)
        {
            var type = bundle.Entry[entry].Resource?.TypeName;
            Issues.Add(new FhirIssue(code, $"Bundle.entry[{entry}].resource{(field.Length > 0 ? "." + field : "")}",
                type is null ? message : $"{type}: {message}", entry));
            failed.Add(entry);
        }

        void Answer(int entry, bool created, string location) => answers[entry] = (created, $"{baseUrl}/{location}");

        public async Task Execute(CancellationToken ct)
        {
            if (!Structure()) return;
            await Organizations(ct);
            await Practitioners(ct);
            await Patients(ct);
            await Coverages(ct);
            await Encounters(ct);
            Codes();
            await Documents(ct);
            if (Issues.Count > 0) return;
            foreach (var e in encounters.Values.DistinctBy(e => e.Id).Where(e => e.NewDiagnoses.Count + e.NewProcedures.Count > 0))
                session.Events.Append(e.Id, new EncounterCodesDocumented(e.Id, [.. e.NewDiagnoses], [.. e.NewProcedures], "fhir", actor, now));
        }

        bool Structure()
        {
            if (bundle.Type != R4.Bundle.BundleType.Transaction)
                Issues.Add(new FhirIssue("invalid", "Bundle.type", $"Send a transaction Bundle (type 'transaction'), not '{bundle.Type?.ToString().ToLowerInvariant() ?? "none"}'.", null));
            if (bundle.Entry.Count == 0)
                Issues.Add(new FhirIssue("required", "Bundle.entry", "The bundle has no entries.", null));
            for (var i = 0; i < bundle.Entry.Count; i++)
            {
                var entry = bundle.Entry[i];
                if (entry.Resource is null) { Fail(i, "required", "", "Every entry needs a resource."); continue; }
                if (!Supported.Contains(entry.Resource.TypeName))
                {
                    Fail(i, "not-supported", "", $"Portal imports {string.Join(", ", Supported)}; not {entry.Resource.TypeName}.");
                    continue;
                }
                if (entry.Request?.Method is not (R4.Bundle.HTTPVerb.POST or R4.Bundle.HTTPVerb.PUT))
                    Issues.Add(new FhirIssue("not-supported", $"Bundle.entry[{i}].request.method",
                        "Each entry creates (POST) or updates (PUT) its resource; Portal matches it to existing records by its identifiers.", i));
                foreach (var key in new[] { entry.FullUrl, entry.Resource.Id is { } id ? $"{entry.Resource.TypeName}/{id}" : null }.OfType<string>())
                    if (!references.TryAdd(key, i))
                        Fail(i, "invalid", "", $"'{key}' names entry {references[key]} too.");
            }
            return Issues.Count == 0;
        }

        /// <summary>The entry a reference points to, if it resolves in the bundle to a resource of one of the types (and that entry is good).</summary>
        int? Resolve(int entry, R4.ResourceReference? reference, string field, bool required, params string[] types)
        {
            if (reference?.Reference is not { Length: > 0 } target)
            {
                if (required) Fail(entry, "required", field, $"Give {field} as a reference to a {string.Join(" or ", types)} entry of this bundle.");
                return null;
            }
            if (!references.TryGetValue(target, out var index))
            {
                Fail(entry, "not-found", field, $"'{target}' does not resolve to an entry of this bundle.");
                return null;
            }
            if (bundle.Entry[index].Resource!.TypeName is var found && !types.Contains(found))
            {
                Fail(entry, "invalid", field, $"'{target}' is a {found}; {field} must reference a {string.Join(" or ", types)}.");
                return null;
            }
            if (failed.Contains(index)) { failed.Add(entry); return null; } // the referenced entry's own issue says why
            return index;
        }

        /// <summary>A write function's 422 (field errors) or 409 (a rule) as issues of this entry, with FHIR paths for Portal's field names.</summary>
        bool Try(int entry, IReadOnlyDictionary<string, string> paths, Action write)
        {
            try { write(); return true; }
            catch (UnprocessableInput bad)
            {
                foreach (var (field, reasons) in bad.Errors)
                    foreach (var reason in reasons) Fail(entry, "invalid", paths.GetValueOrDefault(field, field), reason);
                if (bad.Errors.Count == 0) Fail(entry, "invalid", "", bad.Message);
                return false;
            }
            catch (RuleViolation rule)
            {
                Fail(entry, "conflict", "", rule.Message);
                return false;
            }
        }

        // ---- Organization: a billing provider (NPI) or a payer (payer id typed NIIP) ----

        async Task Organizations(CancellationToken ct)
        {
            foreach (var (i, org) in Of<R4.Organization>())
            {
                var npi = org.Identifier.FirstOrDefault(x => x.System == FhirSystems.Npi)?.Value?.Trim();
                var payerId = org.Identifier.FirstOrDefault(x => x.HasType(FhirSystems.PayerIdType))?.Value?.Trim().ToUpperInvariant();
                if (npi is null && payerId is null)
                {
                    Fail(i, "required", "identifier",
                        $"An Organization needs an NPI ({FhirSystems.Npi}) as a billing provider, or a payer id (identifier type NIIP) as a payer.");
                    continue;
                }
                if (npi is not null)
                {
                    var taxonomy = org.Type.SelectMany(t => t.Coding).FirstOrDefault(c => c.System == FhirSystems.Nucc)?.Code;
                    if (await EnrolledOrNew(i, npi, org.Name, taxonomy, ProviderType.Organization, "type", ct) is not { } provider) continue;
                    providers[i] = provider;
                }
                if (payerId is not null)
                {
                    var payer = await session.Query<Payer>().FirstOrDefaultAsync(p => p.ClearinghousePayerId == payerId, ct);
                    if (payer is null)
                    {
                        if (payers.Values.FirstOrDefault(p => p.ClearinghousePayerId == payerId) is { } same)
                        {
                            Fail(i, "invalid", "identifier", $"Payer id {payerId} is also on another entry of this bundle.");
                            continue;
                        }
                        var paths = new Dictionary<string, string> { ["clearinghousePayerId"] = "identifier", ["name"] = "name" };
                        if (!Try(i, paths, () => payer = PayerWrites.Start(session, new AddPayer(org.Name ?? "", payerId), actor, now))) continue;
                        answers.Remove(i);
                        Answer(i, true, $"payers/{payer!.Id}");
                    }
                    else if (!answers.ContainsKey(i)) Answer(i, false, $"payers/{payer.Id}");
                    payers[i] = payer;
                }
            }
        }

        async Task<Provider?> EnrolledOrNew(int i, string npi, string? name, string? taxonomy, ProviderType type, string taxonomyField,
            CancellationToken ct)
        {
            if (!Identifiers.IsValidNpi(npi))
            {
                Fail(i, "invalid", "identifier", $"NPI {npi} is not 10 digits with a valid check digit.");
                return null;
            }
            if (providers.Values.Any(p => p.Npi == npi))
            {
                Fail(i, "invalid", "identifier", $"NPI {npi} is also on another entry of this bundle.");
                return null;
            }
            if (await session.Query<Provider>().FirstOrDefaultAsync(p => p.Npi == npi, ct) is { } enrolled)
            {
                Answer(i, false, $"providers/{enrolled.Id}");
                return enrolled;
            }
            if (taxonomy is null)
            {
                Fail(i, "required", taxonomyField, $"NPI {npi} is new to this practice: give its NUCC taxonomy code ({FhirSystems.Nucc}) to enrol it.");
                return null;
            }
            Provider? provider = null;
            var paths = new Dictionary<string, string> { ["npi"] = "identifier", ["taxonomyCode"] = taxonomyField, ["name"] = "name" };
            if (!Try(i, paths, () => provider = ProviderWrites.Start(session, new EnrollProvider(name ?? "", npi, taxonomy, type), actor, now)))
                return null;
            Answer(i, true, $"providers/{provider!.Id}");
            return provider;
        }

        // ---- Practitioner: a rendering provider, by NPI ----

        async Task Practitioners(CancellationToken ct)
        {
            foreach (var (i, practitioner) in Of<R4.Practitioner>())
            {
                var npi = practitioner.Identifier.FirstOrDefault(x => x.System == FhirSystems.Npi)?.Value?.Trim();
                if (npi is null)
                {
                    Fail(i, "required", "identifier", $"Give the practitioner's NPI as an identifier with system {FhirSystems.Npi}.");
                    continue;
                }
                var taxonomy = practitioner.Qualification.SelectMany(q => q.Code?.Coding ?? []).FirstOrDefault(c => c.System == FhirSystems.Nucc)?.Code;
                if (await EnrolledOrNew(i, npi, NameOf(practitioner.Name), taxonomy, ProviderType.Individual, "qualification", ct) is { } provider)
                    providers[i] = provider;
            }
        }

        static string? NameOf(List<R4.HumanName> names)
        {
            var name = names.FirstOrDefault(n => n.Use == R4.HumanName.NameUse.Official) ?? names.FirstOrDefault();
            if (name is null) return null;
            if (!string.IsNullOrWhiteSpace(name.Text)) return name.Text.Trim();
            var parts = name.Prefix.Concat(name.Given).Append(name.Family).Concat(name.Suffix).Where(p => !string.IsNullOrWhiteSpace(p));
            return string.Join(' ', parts);
        }

        // ---- Patient: by MRN ----

        static readonly Dictionary<string, string> PatientPaths = new(StringComparer.OrdinalIgnoreCase)
        {
            ["mrn"] = "identifier", ["firstName"] = "name.given", ["lastName"] = "name.family", ["birthDate"] = "birthDate",
            ["city"] = "address.city", ["state"] = "address.state", ["postalCode"] = "address.postalCode",
        };

        async Task Patients(CancellationToken ct)
        {
            foreach (var (i, p) in Of<R4.Patient>())
            {
                var mrn = p.Identifier.FirstOrDefault(x => x.HasType(FhirSystems.MedicalRecordNumber))?.Value?.Trim();
                if (mrn is null)
                {
                    Fail(i, "required", "identifier", $"Give the MRN as an identifier with type MR ({FhirSystems.IdentifierType}).");
                    continue;
                }
                if (patients.Values.Any(x => x.Mrn.Equals(mrn, StringComparison.OrdinalIgnoreCase)))
                {
                    Fail(i, "invalid", "identifier", $"MRN {mrn} is also on another entry of this bundle.");
                    continue;
                }
                var existing = await session.Query<Patient>().FirstOrDefaultAsync(x => x.Mrn.Equals(mrn, StringComparison.OrdinalIgnoreCase), ct);
                if (existing is not null)
                {
                    patients[i] = patientNow[existing.Id] = existing;
                    Answer(i, false, $"patients/{existing.Id}");
                    continue;
                }
                var name = p.Name.FirstOrDefault(n => n.Use == R4.HumanName.NameUse.Official) ?? p.Name.FirstOrDefault();
                DateOnly? birthDate = null;
                if (p.BirthDate is { } dob)
                {
                    if (!DateOnly.TryParseExact(dob, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                    {
                        Fail(i, "invalid", "birthDate", "Give the full date of birth (yyyy-MM-dd).");
                        continue;
                    }
                    birthDate = d;
                }
                var address = p.Address.FirstOrDefault();
                var lines = address?.Line.ToList() ?? [];
                var input = new RegisterPatient(mrn, name?.Given.FirstOrDefault() ?? "", name?.Family ?? "", birthDate, p.Gender switch
                {
                    R4.AdministrativeGender.Female => Sex.Female,
                    R4.AdministrativeGender.Male => Sex.Male,
                    R4.AdministrativeGender.Other => Sex.Other,
                    _ => Sex.Unknown,
                }, lines.ElementAtOrDefault(0), lines.ElementAtOrDefault(1), address?.City, address?.State, address?.PostalCode,
                    p.Telecom.FirstOrDefault(t => t.System == R4.ContactPoint.ContactPointSystem.Phone)?.Value);
                Patient? patient = null;
                if (!Try(i, PatientPaths, () => patient = PatientWrites.Start(session, input, actor, now))) continue;
                patients[i] = patientNow[patient!.Id] = patient;
                Answer(i, true, $"patients/{patient.Id}");
            }
        }

        // ---- Coverage: payer, member id, subscriber, priority, dates ----

        async Task Coverages(CancellationToken ct)
        {
            foreach (var (i, c) in Of<R4.Coverage>())
            {
                var patientEntry = Resolve(i, c.Beneficiary, "beneficiary", true, "Patient");
                var payer = await PayerOf(i, c.Payor.FirstOrDefault(), ct);
                var memberId = (c.SubscriberId ?? c.Identifier.FirstOrDefault(x => x.HasType(FhirSystems.MemberIdType))?.Value)?.Trim();
                if (string.IsNullOrEmpty(memberId)) Fail(i, "required", "subscriberId", "Give the member id on the insurance card as subscriberId.");
                else if (memberId.Length > 40) Fail(i, "invalid", "subscriberId", "A member id is at most 40 characters.");
                var from = Date(i, c.Period?.Start, "period.start", required: true);
                var to = Date(i, c.Period?.End, "period.end", required: false);
                var priority = c.Order switch
                {
                    null or 1 => CoveragePriority.Primary,
                    2 => CoveragePriority.Secondary,
                    3 => CoveragePriority.Tertiary,
                    _ => (CoveragePriority?)null,
                };
                if (priority is null) Fail(i, "invalid", "order", "Portal bills up to three payers: order 1, 2 or 3.");
                var relationship = c.Relationship?.Coding.FirstOrDefault()?.Code switch
                {
                    null or "self" => SubscriberRelationship.Self,
                    "spouse" => SubscriberRelationship.Spouse,
                    "child" => SubscriberRelationship.Child,
                    _ => SubscriberRelationship.Other,
                };
                if (patientEntry is null || payer is null || failed.Contains(i)) { failed.Add(i); continue; }
                var patient = patientNow[patients[patientEntry.Value].Id];
                var subscriber = relationship == SubscriberRelationship.Self
                    ? $"{patient.Demographics.FirstName} {patient.Demographics.LastName}"
                    : c.Subscriber?.Display?.Trim();
                if (string.IsNullOrEmpty(subscriber))
                {
                    Fail(i, "required", "subscriber", "The patient is not the subscriber: give the subscriber's name as subscriber.display.");
                    continue;
                }
                if (to is not null && to < from)
                {
                    Fail(i, "invalid", "period.end", "The coverage cannot end before it starts.");
                    continue;
                }
                var group = c.Class.FirstOrDefault(k => k.Type?.Coding.Any(x => x.Code == "group") == true)?.Value?.Trim();
                var same = patient.Coverages.FirstOrDefault(x =>
                    x.PayerId == payer.Id && x.MemberId.Equals(memberId, StringComparison.OrdinalIgnoreCase) && x.EffectiveFrom == from);
                if (same is not null)
                {
                    coverages[i] = same;
                    Answer(i, false, $"patients/{patient.Id}");
                    continue;
                }
                var coverage = new Coverage(Guid.CreateVersion7(), payer.Id, payer.Name, memberId!, subscriber, relationship,
                    string.IsNullOrEmpty(group) ? null : group, priority!.Value, from!.Value, to);
                if (!Try(i, new Dictionary<string, string>(), () =>
                    {
                        var added = patient.AddCoverage(coverage, actor, now);
                        session.Events.Append(patient.Id, added);
                        patientNow[patient.Id] = patient.Apply(added);
                    })) continue;
                coverages[i] = coverage;
                Answer(i, true, $"patients/{patient.Id}");
            }
        }

        /// <summary>Coverage.payor: an Organization of the bundle with a payer id, or a logical reference by payer id to a payer on file.</summary>
        async Task<Payer?> PayerOf(int i, R4.ResourceReference? payor, CancellationToken ct)
        {
            if (payor?.Reference is null && payor?.Identifier?.Value is { Length: > 0 } code)
            {
                code = code.Trim().ToUpperInvariant();
                var onFile = payers.Values.FirstOrDefault(p => p.ClearinghousePayerId == code)
                    ?? await session.Query<Payer>().FirstOrDefaultAsync(p => p.ClearinghousePayerId == code, ct);
                if (onFile is null) Fail(i, "not-found", "payor[0].identifier", $"This practice has no payer with payer id {code}.");
                return onFile;
            }
            if (Resolve(i, payor, "payor[0]", true, "Organization") is not { } entry) return null;
            if (payers.TryGetValue(entry, out var payer)) return payer;
            Fail(i, "invalid", "payor[0]", "The payor Organization needs a payer id (identifier type NIIP).");
            return null;
        }

        DateOnly? Date(int i, string? value, string field, bool required)
        {
            if (string.IsNullOrEmpty(value))
            {
                if (required) Fail(i, "required", field, $"Give {field} (yyyy-MM-dd).");
                return null;
            }
            // A FHIR dateTime keeps the local date as written ("2026-03-02T09:30:00-05:00"): the date of service is that date.
            if (value.Length >= 10 && DateOnly.TryParseExact(value[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                return d;
            Fail(i, "invalid", field, $"Give {field} as a full date (yyyy-MM-dd).");
            return null;
        }

        // ---- Encounter: the visit ----

        static readonly Dictionary<string, string> EncounterPaths = new(StringComparer.OrdinalIgnoreCase)
        {
            ["dateOfService"] = "period.start", ["placeOfService"] = "type", ["coverageId"] = "subject",
        };

        // Encounter.class when no place-of-service coding is sent: only the unambiguous ones.
        static readonly Dictionary<string, string> PlaceOfServiceByClass = new() { ["AMB"] = "11", ["HH"] = "12" };

        async Task Encounters(CancellationToken ct)
        {
            var inBundle = new Dictionary<string, int>();
            foreach (var (i, e) in Of<R4.Encounter>())
            {
                if (e.Status is R4.Encounter.EncounterStatus.Cancelled or R4.Encounter.EncounterStatus.EnteredInError)
                {
                    Fail(i, "invalid", "status", "A cancelled or entered-in-error encounter is not a visit to bill.");
                    continue;
                }
                var patientEntry = Resolve(i, e.Subject, "subject", true, "Patient");
                var rendering = e.Participant.Where(p => p.Individual?.Reference is not null)
                    .OrderBy(p => p.Type.SelectMany(t => t.Coding).Any(c => c.Code is "PPRF" or "ATND") ? 0 : 1).FirstOrDefault();
                var renderingEntry = Resolve(i, rendering?.Individual, "participant.individual", true, "Practitioner");
                var billingEntry = Resolve(i, e.ServiceProvider, "serviceProvider", false, "Organization", "Practitioner");
                var dos = Date(i, e.Period?.Start, "period.start", required: true);
                var pos = e.Type.SelectMany(t => t.Coding).FirstOrDefault(c => c.System == FhirSystems.PlaceOfService)?.Code
                    ?? (e.Class?.Code is { } cls ? PlaceOfServiceByClass.GetValueOrDefault(cls) : null);
                if (pos is null)
                    Fail(i, "required", "type", $"Give the place of service as a type coding of {FhirSystems.PlaceOfService} (class AMB means 11, office).");
                if (billingEntry is { } b && !providers.ContainsKey(b))
                    Fail(i, "invalid", "serviceProvider", "The serviceProvider Organization needs an NPI to bill as.");
                if (patientEntry is null || renderingEntry is null || dos is null || failed.Contains(i)) { failed.Add(i); continue; }

                var patient = patientNow[patients[patientEntry.Value].Id];
                var renderingProvider = providers[renderingEntry.Value];
                var billing = billingEntry is { } be ? providers[be] : renderingProvider;
                var identifier = e.Identifier.FirstOrDefault(x => !string.IsNullOrEmpty(x.Value));
                var key = identifier is null ? null : $"{identifier.System}|{identifier.Value!.Trim()}";
                var visit = $"{patient.Id}|{renderingProvider.Id}|{dos:yyyy-MM-dd}|{pos}";
                if ((key is not null && inBundle.TryGetValue(key, out var twin)) || inBundle.TryGetValue(visit, out twin))
                {
                    Fail(i, "invalid", "identifier", $"The same visit as entry {twin} of this bundle.");
                    continue;
                }
                if (key is not null) inBundle[key] = i;
                inBundle[visit] = i;

                var existing = await Existing(key, patient.Id, renderingProvider.Id, dos.Value, pos!, ct);
                if (existing is not null)
                {
                    encounters[i] = new EncounterState(existing.Id, existing.PatientId, null, false, existing.DocumentedDiagnoses, existing.DocumentedProcedures);
                    Answer(i, false, $"encounters/{existing.Id}");
                    continue;
                }
                // The coverage billed: the patient's coverage in effect on the date of service, primary first.
                var coverage = patient.Coverages
                    .Where(c => c.EffectiveFrom <= dos && (c.EffectiveTo ?? DateOnly.MaxValue) >= dos)
                    .OrderBy(c => c.Priority).FirstOrDefault();
                var input = new OpenEncounter(patient.Id, renderingProvider.Id, dos, pos!, billing.Id, coverage?.Id);
                EncounterOpened? opened = null;
                if (!Try(i, EncounterPaths, () => opened = EncounterWrites.Start(session, input, patient, renderingProvider, billing, "fhir", actor, now)))
                    continue;
                if (key is not null) session.Claim(EncounterKey, key, opened!.EncounterId, now);
                encounters[i] = new EncounterState(opened!.EncounterId, patient.Id, Encounter.Create(opened), true, [], []);
                Answer(i, true, $"encounters/{opened.EncounterId}");
            }
        }

        async Task<EncounterDetails?> Existing(string? key, Guid patientId, Guid renderingId, DateOnly dos, string pos, CancellationToken ct)
        {
            if (key is not null && await session.LoadAsync<UniqueKey>(EncounterKey.IdFor(key), ct) is { } claimed)
                return await session.LoadAsync<EncounterDetails>(claimed.OwnerId, ct);
            return await session.Query<EncounterDetails>()
                .Where(x => x.PatientId == patientId && x.RenderingProviderId == renderingId && x.DateOfService == dos && x.PlaceOfService == pos)
                .FirstOrDefaultAsync(ct);
        }

        EncounterState? EncounterOf(int i, R4.ResourceReference? reference, string field, R4.ResourceReference? subject)
        {
            if (Resolve(i, reference, field, true, "Encounter") is not { } entry) return null;
            if (!encounters.TryGetValue(entry, out var state)) { failed.Add(i); return null; }
            if (subject?.Reference is not null && Resolve(i, subject, "subject", false, "Patient") is { } p && patients[p].Id != state.PatientId)
            {
                Fail(i, "invalid", "subject", "The subject is not the encounter's patient.");
                return null;
            }
            return state;
        }

        // ---- Condition and Procedure: codes the provider documented ----

        void Codes()
        {
            foreach (var (i, condition) in Of<R4.Condition>())
            {
                if (EncounterOf(i, condition.Encounter, "encounter", condition.Subject) is not { } encounter) continue;
                var codings = condition.Code?.Coding ?? [];
                var icd = codings.FirstOrDefault(c => c.System == FhirSystems.Icd10Cm);
                if (icd?.Code is not { } raw)
                {
                    Fail(i, codings.Count == 0 ? "required" : "code-invalid", "code.coding",
                        $"Give the diagnosis as an ICD-10-CM code ({FhirSystems.Icd10Cm})" +
                        (codings.Count == 0 ? "." : $"; the codings are of {string.Join(", ", codings.Select(c => c.System ?? "no system"))}."));
                    continue;
                }
                var code = raw.Trim().ToUpperInvariant();
                if (!FhirSystems.Icd10CmCode().IsMatch(code))
                {
                    Fail(i, "code-invalid", "code.coding", $"'{raw}' is not an ICD-10-CM code.");
                    continue;
                }
                if (code.Length > 3 && code[3] != '.') code = code[..3] + "." + code[3..];
                Document(i, encounter, encounter.Diagnoses, encounter.NewDiagnoses, new DocumentedCode("icd10cm", code, icd.Display));
            }
            foreach (var (i, procedure) in Of<R4.Procedure>())
            {
                if (EncounterOf(i, procedure.Encounter, "encounter", procedure.Subject) is not { } encounter) continue;
                var codings = procedure.Code?.Coding ?? [];
                var coding = codings.FirstOrDefault(c => c.System == FhirSystems.Cpt || FhirSystems.IsHcpcsSystem(c.System));
                if (coding?.Code is not { } raw)
                {
                    Fail(i, codings.Count == 0 ? "required" : "code-invalid", "code.coding",
                        $"Give the procedure as a CPT ({FhirSystems.Cpt}) or HCPCS ({FhirSystems.Hcpcs}) code" +
                        (codings.Count == 0 ? "." : $"; the codings are of {string.Join(", ", codings.Select(c => c.System ?? "no system"))}."));
                    continue;
                }
                var code = raw.Trim().ToUpperInvariant();
                var cpt = coding.System == FhirSystems.Cpt;
                if (!(cpt ? FhirSystems.CptCode() : FhirSystems.HcpcsCode()).IsMatch(code))
                {
                    Fail(i, "code-invalid", "code.coding", $"'{raw}' is not a {(cpt ? "CPT" : "HCPCS Level II")} code.");
                    continue;
                }
                Document(i, encounter, encounter.Procedures, encounter.NewProcedures, new DocumentedCode(cpt ? "cpt" : "hcpcs", code, coding.Display));
            }
        }

        void Document(int i, EncounterState encounter, List<DocumentedCode> known, List<DocumentedCode> added, DocumentedCode code)
        {
            var already = known.Any(k => k.System == code.System && k.Code == code.Code);
            if (!already) { known.Add(code); added.Add(code); }
            Answer(i, !already, $"encounters/{encounter.Id}");
        }

        // ---- DocumentReference: the clinical note, attached to the encounter ----

        async Task Documents(CancellationToken ct)
        {
            var inBundle = new Dictionary<string, string>();
            foreach (var (i, reference) in Of<R4.DocumentReference>())
            {
                if (EncounterOf(i, reference.Context?.Encounter.FirstOrDefault(), "context.encounter[0]", reference.Subject) is not { } encounter)
                    continue;
                var attachment = reference.Content.FirstOrDefault()?.Attachment;
                if (attachment?.Data is not { } bytes)
                {
                    Fail(i, attachment?.Url is null ? "required" : "not-supported", "content[0].attachment.data",
                        "Send the note's content base64-encoded in attachment.data; Portal does not fetch attachment URLs.");
                    continue;
                }
                if (bytes.Length == 0) { Fail(i, "invalid", "content[0].attachment.data", "The attachment is empty."); continue; }
                if (bytes.Length > maxDocumentBytes)
                {
                    Fail(i, "too-costly", "content[0].attachment.data", $"A document may be at most {DocumentOptions.Describe(maxDocumentBytes)}.");
                    continue;
                }
                var contentType = DocumentTypes.Sniff(bytes);
                if (contentType is null)
                {
                    Fail(i, "not-supported", "content[0].attachment.data", $"Attach {DocumentTypes.Accepted}; the type is read from the content.");
                    continue;
                }
                var key = $"{encounter.Id:N}:{Convert.ToHexString(SHA256.HashData(bytes))}";
                if (inBundle.TryGetValue(key, out var location)) { answers[i] = (false, location); continue; }
                if (await session.LoadAsync<UniqueKey>(DocumentKey.IdFor(key), ct) is { } stored)
                {
                    Answer(i, false, $"encounters/{encounter.Id}/documents/{stored.OwnerId}");
                    inBundle[key] = answers[i].Location;
                    continue;
                }
                encounter.Aggregate ??= await session.LoadAsync<Encounter>(encounter.Id, ct);
                if (encounter.Aggregate is null) { failed.Add(i); continue; }
                var name = DocumentTypes.DisplayName(attachment.Title ?? reference.Description ?? "clinical-note", contentType);
                DocumentAttached? attached = null;
                if (!Try(i, new Dictionary<string, string>(), () =>
                        attached = encounter.Aggregate.Attach(Guid.CreateVersion7(), name, contentType, bytes.Length, actor, now)))
                    continue;
                session.Events.Append(encounter.Id, attached!);
                session.Store(new EncounterDocument(attached!.DocumentId, encounter.Id, name, contentType, bytes));
                session.Claim(DocumentKey, key, attached.DocumentId, now);
                encounter.Aggregate = encounter.Aggregate.Apply(attached);
                Answer(i, true, $"encounters/{encounter.Id}/documents/{attached.DocumentId}");
                inBundle[key] = answers[i].Location;
            }
        }

        public R4.Bundle ResponseBundle() => new()
        {
            Type = R4.Bundle.BundleType.TransactionResponse,
            Entry = [.. bundle.Entry.Select((e, i) => new R4.Bundle.EntryComponent
            {
                FullUrl = e.FullUrl,
                Response = new R4.Bundle.ResponseComponent
                {
                    Status = answers[i].Created ? "201 Created" : "200 OK",
                    Location = answers[i].Location,
                },
            })],
        };
    }
}
