using Portal.Web.Features.Intake;

namespace Portal.Web.Features.Coding;

// The queue row follows intake's corrections and holds (Features/Intake/EncounterWork.cs).
public sealed partial class CodingQueueRowProjection
{
    public static CodingQueueRow Apply(EncounterRevised e, CodingQueueRow r) =>
        r with { DateOfService = e.DateOfService, PlaceOfService = e.PlaceOfService, UpdatedAt = e.At };

    public static CodingQueueRow Apply(EncounterHeld e, CodingQueueRow r) =>
        r with { Status = EncounterStatus.OnHold, OnHoldSince = e.At, UpdatedAt = e.At };

    public static CodingQueueRow Apply(EncounterHoldReleased e, CodingQueueRow r) =>
        r with { Status = e.To, OnHoldSince = null, DueAt = r.DueAt + e.HeldFor, UpdatedAt = e.At };
}
