using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Portal.Web.Features.Coding;

/// <summary>Request examples in the OpenAPI document, so Swagger UI starts from a realistic body.</summary>
sealed class CodingExamples : ISchemaFilter
{
    static readonly Dictionary<Type, string> Examples = new()
    {
        [typeof(SendToCoding)] = """{"priority":0}""",
        [typeof(AssignChart)] = """{"coderId":"0197a0b1-2c3d-7e4f-8a9b-0c1d2e3f4a5b","reason":"Balance the cardiology backlog"}""",
        [typeof(ReleaseChart)] = """{"reason":"Needs a coder certified in E/M auditing"}""",
        [typeof(CodeDiagnoses)] = """{"codes":["E11.9","I10"],"overrideReason":null}""",
        [typeof(ServiceLineInput)] = """{"code":"99213","modifiers":["25"],"units":1,"charge":null,"diagnosisPointers":[1,2]}""",
        [typeof(CodeServiceLines)] = """{"lines":[{"code":"99213","modifiers":["25"],"units":1,"diagnosisPointers":[1,2]},{"code":"36415","units":1,"diagnosisPointers":[1]}]}""",
        [typeof(CodeChart)] = """{"diagnoses":{"codes":["E11.9","I10"]},"lines":{"lines":[{"code":"99213","modifiers":["25"],"units":1,"diagnosisPointers":[1,2]},{"code":"36415","units":1,"diagnosisPointers":[1]}]},"submit":false}""",
        [typeof(RaiseProviderQuery)] = """{"question":"The A1c of 9.2 was reviewed. Based on your clinical judgment, which best describes the diabetes?","options":["Type 2 diabetes with hyperglycemia","Type 2 diabetes without complications"]}""",
        [typeof(AnswerProviderQuery)] = """{"choice":"Type 2 diabetes with hyperglycemia","comment":null}""",
        [typeof(ReviewChart)] = """{"diagnoses":["E11.65","I10"],"lines":null,"reason":"A1c 9.2 documented as uncontrolled: E11.65"}""",
        [typeof(FileQaRebuttal)] = """{"reason":"The note documents the A1c of 6.8 and a metformin change: E11.9 is supported."}""",
        [typeof(DecideQaRebuttal)] = """{"accept":false,"note":"The A1c that day was 9.2: E11.65 stands."}""",
        [typeof(ReturnChart)] = """{"reason":"The note supports a separately identifiable E/M: add modifier 25 or explain."}""",
    };

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && Examples.TryGetValue(context.Type, out var json)) concrete.Examples = [JsonNode.Parse(json)!];
    }
}
