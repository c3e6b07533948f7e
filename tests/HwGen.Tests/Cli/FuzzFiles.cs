namespace HwGen.Tests.CommandLine;

/// <summary>The input and output paths the CLI fuzz test draws from, sorted by whether the checks must accept or reject them.</summary>
public sealed class FuzzFiles
{
    /// <summary>Writes the random and truncated inputs into the scratch folder's inputs.</summary>
    public FuzzFiles(Scratch scratch)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        var random = new Random(7);
        var inputs = scratch.Inputs;
        string Write(string name, byte[] bytes)
        {
            var path = Path.Combine(inputs, name);
            File.WriteAllBytes(path, bytes);
            return path;
        }

        var yaml = File.ReadAllBytes(scratch.Config);
        var program = File.ReadAllBytes(scratch.Program);
        var image = File.ReadAllBytes(scratch.Memory);
        var configs = new List<string> { scratch.Config };
        var programs = new List<string> { scratch.Program };
        var images = new List<string> { scratch.Memory };
        for (var i = 0; i < 6; i++)
        {
            configs.Add(Write($"truncated{i}.yaml", yaml[..random.Next(yaml.Length)]));
            programs.Add(Write($"truncated{i}.s", program[..random.Next(program.Length)]));
            images.Add(Write($"truncated{i}.bin", image[..random.Next(image.Length)]));
            var noise = new byte[random.Next(1, 400)];
            random.NextBytes(noise);
            configs.Add(Write($"noise{i}.yaml", noise));
            programs.Add(Write($"noise{i}.s", noise));
            images.Add(Write($"noise{i}.bin", noise));
        }

        // Plausible-looking text: YAML keys with random values, assembly mnemonics with random operands.
        string[] keys = ["name", "array", "rows", "cols", "dataflow", "scratchpad", "kib", "banks", "axi", "data_bits", "units", "bogus"];
        string[] mnemonics = ["load", "store", "compute", "normalize", "config_store", "config_post", "halt", "nop"];
        for (var i = 0; i < 6; i++)
        {
            configs.Add(Write($"words{i}.yaml", System.Text.Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Range(0, random.Next(1, 12))
                .Select(_ => new string(' ', 2 * random.Next(3)) + keys[random.Next(keys.Length)] + ": " + random.Next(-3, 70000).ToString(System.Globalization.CultureInfo.InvariantCulture))))));
            programs.Add(Write($"words{i}.s", System.Text.Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Range(0, random.Next(1, 8))
                .Select(_ => mnemonics[random.Next(mnemonics.Length)] + " " + string.Join(", ", Enumerable.Range(0, random.Next(5)).Select(_ => random.Next(-5, 5000))))))));
        }

        configs.Add(Write("empty.yaml", []));
        programs.Add(Write("empty.s", []));
        images.Add(Write("empty.bin", []));
        using (var huge = File.Create(Path.Combine(inputs, "huge.bin")))
        {
            huge.SetLength((256L * 1024 * 1024) + 1); // sparse
        }

        Configs = configs;
        Programs = programs;
        Images = images;
        var longName = Path.Combine(inputs, new string('n', 300));
        var tooLong = Path.Combine(inputs, string.Join('/', Enumerable.Repeat(new string('d', 200), 22)));
        BadInputs = [Path.Combine(inputs, "missing.yaml"), inputs, longName, tooLong, "/dev/full", "/dev/null", "/proc/self/status", "/sys/kernel", string.Empty,
            Path.Combine(inputs, "huge.bin"), Path.Combine(scratch.Config, "under-a-file")];
        BadOutputFolders = [scratch.Config, Path.Combine(scratch.Config, "sub"), longName, tooLong, "/dev/full", "/dev/null", "/proc/hwgen", "/proc/self", "/sys/hwgen", string.Empty];
        foreach (var ext in new[] { ".json", ".png", ".fst" })
        {
            Directory.CreateDirectory(Path.Combine(inputs, "folder" + ext));
        }

        badOutputFiles = [Path.Combine(inputs, "folder{ext}"), Path.Combine(scratch.Config, "x{ext}"), longName + "{ext}", tooLong + "{ext}", "/dev/full", "/dev/null",
            "/proc/x{ext}", "/proc/self/status", "/sys/x{ext}", string.Empty, Path.Combine(inputs, "wrong.extension"), Path.Combine(inputs, "{ext}x")];
    }

    /// <summary>Configurations: valid, truncated, noise, plausible nonsense, empty.</summary>
    public IReadOnlyList<string> Configs { get; }

    /// <summary>Programs: valid, truncated, noise, plausible nonsense, empty.</summary>
    public IReadOnlyList<string> Programs { get; }

    /// <summary>Memory images: valid, truncated, noise, empty.</summary>
    public IReadOnlyList<string> Images { get; }

    /// <summary>Input paths the checks must reject: missing, folder, too long, devices, kernel files, empty, over the size limit, under a file.</summary>
    public IReadOnlyList<string> BadInputs { get; }

    /// <summary>Output folders the checks must reject.</summary>
    public IReadOnlyList<string> BadOutputFolders { get; }

    private readonly string[] badOutputFiles;

    /// <summary>An output file path the checks must reject, for a file kind with extension <paramref name="ext"/> (".json").</summary>
    public string BadOutputFile(Random random, string ext)
    {
        ArgumentNullException.ThrowIfNull(random);
        return badOutputFiles[random.Next(badOutputFiles.Length)].Replace("{ext}", ext, StringComparison.Ordinal);
    }
}
