using Portal.Web.Features.Coding;

namespace Portal.Web.Features.Intake;

// Intake's encounter list shows where the chart is in coding: the status follows the coding events. (The details
// screen reads the status from the encounter snapshot instead: EncounterDetails.Read.)
// The status after a submit or an answer is frozen in the event, so these stay one-liners.

public sealed partial class EncounterListRowProjection
{
    public static EncounterListRow Apply(ChartQueued _, EncounterListRow r) => r with { Status = EncounterStatus.Queued };
    public static EncounterListRow Apply(ChartAssigned _, EncounterListRow r) => r with { Status = EncounterStatus.Assigned };
    public static EncounterListRow Apply(ChartReleased _, EncounterListRow r) => r with { Status = EncounterStatus.Queued };
    public static EncounterListRow Apply(CodingStarted _, EncounterListRow r) => r with { Status = EncounterStatus.InProgress };
    public static EncounterListRow Apply(ProviderQueryRaised _, EncounterListRow r) => r with { Status = EncounterStatus.OnHold };
    public static EncounterListRow Apply(ProviderQueryAnswered e, EncounterListRow r) => r with { Status = CodingStatus.After(e, r.Status) };
    public static EncounterListRow Apply(ChartSubmitted e, EncounterListRow r) => r with { Status = CodingStatus.After(e) };
    public static EncounterListRow Apply(ChartApproved _, EncounterListRow r) => r with { Status = EncounterStatus.Approved };
    public static EncounterListRow Apply(ChartReviewed _, EncounterListRow r) => r with { Status = EncounterStatus.Approved };
    public static EncounterListRow Apply(ChartReturned _, EncounterListRow r) => r with { Status = EncounterStatus.Returned };
}
