using Scriban;
using Scriban.Runtime;

namespace HwGen.Generator.Rendering;

/// <summary>
/// Runs Scriban strictly: undefined variables and members are errors, and a template with
/// errors never produces output (a typo must not silently become empty Verilog).
/// </summary>
public static class TemplateRenderer
{
    /// <summary>Renders a template with the given global variables.</summary>
    public static string Render(string templateName, string text, IReadOnlyDictionary<string, object> globals)
    {
        var template = Template.Parse(text, templateName);
        if (template.HasErrors)
        {
            throw new InvalidOperationException(
                $"template {templateName} does not parse: " + string.Join("; ", template.Messages.Select(m => m.ToString())));
        }

        var script = new ScriptObject();
        foreach (var (key, value) in globals)
        {
            if (value is string or int or long or bool)
            {
                script.Add(key, value);
            }
            else
            {
                var child = new ScriptObject();
                child.Import(value, renamer: StandardMemberRenamer.Default);
                script.Add(key, child);
            }
        }

        var context = new TemplateContext
        {
            StrictVariables = true,
            EnableRelaxedMemberAccess = false,
            EnableRelaxedTargetAccess = false,
            EnableRelaxedFunctionAccess = false,
            EnableRelaxedIndexerAccess = false,
            TemplateLoader = null,
            NewLine = "\n",
        };
        context.PushGlobal(script);
        try
        {
            return template.Render(context);
        }
        catch (Scriban.Syntax.ScriptRuntimeException ex)
        {
            throw new InvalidOperationException($"template {templateName} failed: {ex.Message}", ex);
        }
    }
}
