using Portal.Web.Platform;

namespace Portal.Web.Features.Intake;

/// <summary>The encounter write model: only what its decisions need. Inline snapshot of the encounter stream.</summary>
public sealed partial record Encounter(Guid Id, Guid PatientId, EncounterStatus Status, string? VisitNotes, int Documents, long Version)
{
    public const int MaxDocuments = 25;

    public static Encounter Create(EncounterOpened e) => new(e.EncounterId, e.PatientId, EncounterStatus.New, e.VisitNotes, 0, 1);

    public Encounter Apply(VisitNotesRevised e) => this with { VisitNotes = e.VisitNotes };

    public Encounter Apply(DocumentAttached _) => this with { Documents = Documents + 1 };

    public VisitNotesRevised ReviseNotes(string notes, string reason, string by, DateTimeOffset now)
    {
        if (Status is not (EncounterStatus.New or EncounterStatus.Queued))
            throw new RuleViolation($"Visit notes can only be revised before coding starts; this encounter is {Status}.", "encounter-locked");
        if (notes == VisitNotes)
            throw new RuleViolation("The notes are unchanged.", "no-change");
        return new(Id, notes, reason, by, now);
    }

    public DocumentAttached Attach(Guid documentId, string fileName, string contentType, long size, string by, DateTimeOffset now) =>
        Documents >= MaxDocuments
            ? throw new RuleViolation($"An encounter holds at most {MaxDocuments} documents.", "too-many-documents")
            : new(Id, documentId, fileName, contentType, size, by, now);
}
