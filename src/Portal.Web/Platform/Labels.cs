using System.Text.RegularExpressions;

namespace Portal.Web.Platform;

/// <summary>
/// The one table of plain words for statuses and codes that pages show (issue 14, item 2). Pages never print an enum or an
/// internal code as is: <c>Labels.Of(status)</c>. Keyed by the enum's type name and member, so two enums may word the same
/// member differently; a member missing here is split into lower-case words ("ReadyForQa" → "Ready for qa") rather than shown raw.
/// The API keeps the names (they are its contract); only people read these.
/// </summary>
public static partial class Labels
{
    static readonly Dictionary<string, string> Table = new(StringComparer.Ordinal)
    {
        // Encounters through coding (Features/Intake EncounterStatus)
        ["EncounterStatus.New"] = "Registered, not sent to coding",
        ["EncounterStatus.Queued"] = "Waiting for a coder",
        ["EncounterStatus.Assigned"] = "With a coder",
        ["EncounterStatus.InProgress"] = "Being coded",
        ["EncounterStatus.OnHold"] = "On hold",
        ["EncounterStatus.ReadyForQa"] = "Waiting for QA review",
        ["EncounterStatus.Returned"] = "Returned to the coder",
        ["EncounterStatus.Approved"] = "Coded and approved",
        // A coder's dispute of a QA correction, decided by the QA lead
        ["RebuttalStatus.Pending"] = "Waiting for the QA lead",
        ["RebuttalStatus.Accepted"] = "Upheld by the QA lead",
        ["RebuttalStatus.Rejected"] = "Turned down by the QA lead",
        // Patients and coverages
        ["Sex.Female"] = "Female", ["Sex.Male"] = "Male", ["Sex.Other"] = "Other", ["Sex.Unknown"] = "Unknown",
        ["SubscriberRelationship.Self"] = "Self", ["SubscriberRelationship.Spouse"] = "Spouse",
        ["SubscriberRelationship.Child"] = "Child", ["SubscriberRelationship.Other"] = "Other",
        ["CoveragePriority.Primary"] = "Primary", ["CoveragePriority.Secondary"] = "Secondary", ["CoveragePriority.Tertiary"] = "Tertiary",
        ["ProviderType.Individual"] = "Individual", ["ProviderType.Organization"] = "Organization",
        ["OrganizationKind.Practice"] = "Practice", ["OrganizationKind.Vendor"] = "Coding or billing vendor",
        ["OrganizationKind.Operator"] = "Portal operator",
        // QA error types (Features/Coding QaErrors)
        ["qa.missed-diagnosis"] = "Missed diagnosis",
        ["qa.unsupported-diagnosis"] = "Unsupported diagnosis",
        ["qa.sequencing"] = "Sequencing",
        ["qa.specificity"] = "Diagnosis specificity",
        ["qa.missed-procedure"] = "Missed procedure",
        ["qa.unsupported-procedure"] = "Unsupported procedure",
        ["qa.em-level"] = "E/M level",
        ["qa.changed-procedure"] = "Wrong procedure code",
        ["qa.modifier"] = "Modifier",
        ["qa.units"] = "Units",
        ["qa.pointer"] = "Diagnosis pointer",
        // What happened to an encounter (history and timeline), by the stored event name
        ["event.encounter_opened"] = "Registered",
        ["event.visit_notes_revised"] = "Visit notes revised",
        ["event.document_attached"] = "Document attached",
        ["event.encounter_revised"] = "Date or place of service corrected",
        ["event.encounter_held"] = "Put on hold",
        ["event.encounter_hold_released"] = "Released from hold",
        ["event.chart_queued"] = "Sent to coding",
        ["event.chart_assigned"] = "Given to a coder",
        ["event.chart_released"] = "Back in the queue",
        ["event.coding_started"] = "Coding started",
        ["event.diagnoses_coded"] = "Diagnoses coded",
        ["event.service_lines_coded"] = "Service lines coded",
        ["event.provider_query_raised"] = "Question sent to the provider",
        ["event.provider_query_answered"] = "Provider's answer received",
        ["event.chart_submitted"] = "Coding submitted",
        ["event.chart_approved"] = "Approved",
        ["event.chart_reviewed"] = "Reviewed by QA and approved",
        ["event.chart_returned"] = "Returned by QA to the coder",
        ["event.qa_rebuttal_filed"] = "Coder disputed the QA review",
        ["event.qa_rebuttal_decided"] = "QA lead decided the dispute",
    };

    /// <summary>Plain words for an enum member.</summary>
    public static string Of<T>(T value) where T : struct, Enum => Lookup($"{typeof(T).Name}.{value}", value.ToString());

    /// <summary>Plain words for a nullable enum member, or a dash.</summary>
    public static string Of<T>(T? value) where T : struct, Enum => value is { } v ? Of(v) : "—";

    /// <summary>Plain words for a code of a named family (<c>qa</c> error types, …).</summary>
    public static string Code(string family, string code) => Lookup($"{family}.{code}", code);

    /// <summary>Registers or replaces a label (features with their own statuses, e.g. claims, add theirs at startup).</summary>
    public static void Add(string key, string label)
    {
        lock (Table) Table[key] = label;
    }

    static string Lookup(string key, string raw) => Table.TryGetValue(key, out var label) ? label : Words(raw);

    /// <summary>"ReadyForQa" → "Ready for qa"; "missed-diagnosis" → "Missed diagnosis".</summary>
    public static string Words(string raw)
    {
        var spaced = Boundary().Replace(raw, " ").Replace('-', ' ').Replace('_', ' ').Trim().ToLowerInvariant();
        return spaced.Length == 0 ? raw : char.ToUpperInvariant(spaced[0]) + spaced[1..];
    }

    [GeneratedRegex("(?<=[a-z0-9])(?=[A-Z])")]
    private static partial Regex Boundary();
}
