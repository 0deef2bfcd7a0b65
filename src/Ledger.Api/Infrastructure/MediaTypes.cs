using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// Endpoints that read their body themselves (ISO 18626 XML, COUNTER reports). Their media type is checked in the
/// handler, after authorization: a caller without the right is told 403 before being told how to send the body. The
/// OpenAPI document still lists the media types (routing's Accepts metadata would refuse with 415 before authorization).
/// </summary>
public static class MediaTypes
{
    public static RouteHandlerBuilder TakesBody(this RouteHandlerBuilder builder, params string[] mediaTypes) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = mediaTypes.ToDictionary(m => m, _ => new OpenApiMediaType()),
            };
            return Task.CompletedTask;
        });

    /// <summary>Refuses with 415 a body of another media type than those named.</summary>
    public static void MustBe(HttpRequest request, params string[] mediaTypes)
    {
        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            && mediaTypes.Any(m => string.Equals(m, type.MediaType.Value, StringComparison.OrdinalIgnoreCase)))
            return;
        throw new UnsupportedMediaType($"send the body as {string.Join(" or ", mediaTypes)}");
    }
}

/// <summary>A body of a media type the endpoint does not read: 415 with the types it does.</summary>
public sealed class UnsupportedMediaType(string message) : Exception(message);
