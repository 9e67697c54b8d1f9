using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Portal.Web.Features.Claims;

/// <summary>OpenAPI examples of the claims API's bodies (tag Claims).</summary>
sealed class ClaimExamples : ISchemaFilter
{
    static readonly Dictionary<Type, string> Examples = new()
    {
        [typeof(DraftClaim)] = """{"encounterId":"0197a0b1-0000-7000-8000-000000000301"}""",
        [typeof(ChangeClaimCodes)] = """
            {"diagnoses":["E11.9","I10"],"lines":[{"code":"99213","modifiers":["25"],"units":1,"pointers":[1,2]},
             {"code":"36415","units":1,"charge":12.00,"pointers":[1]}],"reason":"Line 1 pointed at no diagnosis"}
            """,
        [typeof(ChangeClaimDetails)] = """{"placeOfService":"11","priorAuthorization":"PA-2026-00417","reason":"Authorization from the payer portal"}""",
        [typeof(OverrideClaimWarning)] = """{"rule":"age-sex-mismatch","position":1,"reason":"Confirmed with the provider: documented correctly"}""",
        [typeof(ReturnClaimToCoding)] = """{"note":"The note documents neuropathy; should E11.9 be E11.40?"}""",
        [typeof(RecordPayerClaimNumber)] = """{"payerClaimNumber":"2026337001234","reason":"From the payer portal"}""",
        [typeof(ReplaceClaim)] = """{"reason":"Units on line 2 were 1, should be 2","payerClaimNumber":"2026337001234"}""",
        [typeof(BulkClaimAction)] = """{"action":"rescrub","claimIds":["0197a0c2-0000-7000-8000-000000000001","0197a0c2-0000-7000-8000-000000000002"]}""",
        [typeof(ClaimList)] = """
            {"items":[{"id":"0197a0c2-0000-7000-8000-000000000001","patientControlNumber":"C0MIQ3K8ZQ04F2A1X","patientName":"Tester, Tess",
             "mrn":"T-1001","dateOfService":"2026-11-23","payerName":"Test Health Plan","renderingProviderName":"Dr. Test Renderer",
             "state":"Draft","stateLabel":"Needs work","frequencyCode":"1","responsibility":"P","totalCharge":132.00,"errorCount":1,
             "warningCount":0,"openCount":1,"openRules":["line-pointer-missing"],"awaitingCoding":false,"ageDays":10,"version":2}],
             "next":"NjM5MDAwMDAwMDAwMDAwMDAwfEMwTUlRM0s4WlEwNEYyQTFY"}
            """,
        [typeof(BillingProfileInput)] = """
            {"organizationName":"North Clinic Family Medicine","npi":"1234567893","taxId":"36-4512789","taxonomy":"207Q00000X",
             "addressLine1":"1200 North Avenue","addressLine2":"Suite 300","city":"Springfield","state":"IL","postalCode":"62701-1234",
             "contactName":"Claims desk","contactPhone":"217-555-0100"}
            """,
    };

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && Examples.TryGetValue(context.Type, out var json)) concrete.Examples = [JsonNode.Parse(json)!];
    }
}
