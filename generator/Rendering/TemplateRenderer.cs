using System.Text.RegularExpressions;
using Scriban;
using Scriban.Runtime;

namespace HwGen.Generator.Rendering;

/// <summary>
/// Runs Scriban strictly: undefined variables and members are errors, and a template with
/// errors never produces output (a typo must not silently become empty Verilog).
/// </summary>
public static class TemplateRenderer
{
    /// <summary>
    /// Verilog replications such as <c>{{8{a[7]}}, a}</c> open with "{{" too. The lexical rule is:
    /// a Scriban expression is "{{" followed by whitespace; "{{" followed by anything else is
    /// Verilog text and is passed through verbatim (wrapped in a Scriban escape block).
    /// </summary>
    private static readonly Regex VerilogBraces = new(@"\{\{(?=\S)", RegexOptions.CultureInvariant);

    /// <summary>Renders a template with the given global variables.</summary>
    public static string Render(string templateName, string text, IReadOnlyDictionary<string, object> globals)
    {
        var template = Template.Parse(VerilogBraces.Replace(text, "{%{{{}%}"), templateName);
        if (template.HasErrors)
        {
            throw new InvalidOperationException(
                $"template {templateName} does not parse: " + string.Join("; ", template.Messages.Select(m => m.ToString())));
        }

        var script = new ScriptObject();

        // Flags are booleans in C#; `{{ bit d.flag }}` prints one as 0 or 1 (Verilog parameters, C defines).
        script.Import("bit", new Func<bool, int>(flag => flag ? 1 : 0));
        foreach (var (key, value) in globals)
        {
            if (value is string or int or long or bool)
            {
                script.Add(key, value);
            }
            else if (value is System.Collections.IEnumerable list)
            {
                var array = new ScriptArray();
                foreach (var item in list)
                {
                    if (item is string)
                    {
                        array.Add(item);
                    }
                    else
                    {
                        var element = new ScriptObject();
                        element.Import(item, renamer: StandardMemberRenamer.Default);
                        array.Add(element);
                    }
                }

                script.Add(key, array);
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
