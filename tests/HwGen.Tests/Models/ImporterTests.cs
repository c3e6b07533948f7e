using HwGen.Models;

namespace HwGen.Tests.Models;

public sealed class ImporterTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hwgen-onnx-").FullName;

    public static TheoryData<BertSpelling> Spellings => new()
    {
        new BertSpelling(FusedLayerNorm: false, TanhGelu: false, Gemm: false, PreNorm: false, MaskValue: -10000f, ScaleByMul: false, Opset: 13),
        new BertSpelling(FusedLayerNorm: true, TanhGelu: false, Gemm: false, PreNorm: false, MaskValue: -3.4028235e38f, ScaleByMul: true, Opset: 17),
        new BertSpelling(FusedLayerNorm: false, TanhGelu: true, Gemm: true, PreNorm: false, MaskValue: -10000f, ScaleByMul: false, Opset: 11),
        new BertSpelling(FusedLayerNorm: true, TanhGelu: true, Gemm: true, PreNorm: true, MaskValue: -3.4028235e38f, ScaleByMul: true, Opset: 17),
        new BertSpelling(FusedLayerNorm: false, TanhGelu: false, Gemm: true, PreNorm: true, MaskValue: -10000f, ScaleByMul: false, Opset: 12),
        new BertSpelling(FusedLayerNorm: true, TanhGelu: false, Gemm: false, PreNorm: false, MaskValue: -3.4028235e38f, ScaleByMul: false, Opset: 17, SplitScale: true, PositionInput: true),
    };

    [Theory]
    [MemberData(nameof(Spellings))]
    public void A_synthetic_encoder_imports_with_its_structure_and_matches_onnx_runtime(BertSpelling spelling)
    {
        // Arrange
        var path = Path.Combine(dir, "synthetic.onnx");
        SyntheticBert.Write(path, SyntheticBert.Build(spelling, seed: 7));

        // Act
        var imported = EncoderImporter.Import(path);
        var model = imported.Model;
        using var ort = new OrtReference(imported);
        var encoder = new FloatEncoder(model);
        int[] ids = [1, 17, 5, 42, 9, 33, 2];
        var expected = ModelSession.Flatten(ort.HiddenStates(ids));
        var actual = encoder.Forward(ids);

        // Assert
        Assert.Equal(SyntheticBert.Layers, model.Layers.Length);
        Assert.Equal(SyntheticBert.Hidden, model.Hidden);
        Assert.All(model.Layers, l =>
        {
            Assert.Equal(SyntheticBert.Heads, l.Heads);
            Assert.Equal(SyntheticBert.Ffn, l.FfnWidth);
            Assert.Equal(spelling.TanhGelu ? GeluForm.Tanh : GeluForm.Erf, l.Gelu);
            Assert.Equal(1f / MathF.Sqrt(SyntheticBert.Hidden / SyntheticBert.Heads), l.ScoreScale, 1e-6f);
        });
        Assert.Equal(spelling.PreNorm ? NormPlacement.PreNorm : NormPlacement.PostNorm, model.Placement);
        Assert.Equal(spelling.PreNorm, model.FinalNorm is not null);
        Assert.Equal(spelling.MaskValue, model.MaskValue);
        Assert.Equal(SyntheticBert.Positions, model.MaxPositions);
        Assert.True(Similarity.MaxAbsDifference(actual, expected) < 1e-4, $"max |Δ| {Similarity.MaxAbsDifference(actual, expected)}");
        Assert.True(Similarity.Cosine(FloatEncoder.Pool(actual, ids.Length, Pooling.Mean), FloatEncoder.Pool(expected, ids.Length, Pooling.Mean)) > 0.99999);
    }

    [Fact]
    public void An_operator_outside_the_encoder_family_is_named_with_its_op_type_and_name()
    {
        // Arrange: a Relu slipped into the first FFN.
        var path = Path.Combine(dir, "relu.onnx");
        var model = SyntheticBert.Build(Post(), mutate: g =>
        {
            var erf = g.Node.First(n => n.OpType == "Erf");
            erf.OpType = "Relu";
            erf.Name = "my_relu";
        });
        SyntheticBert.Write(path, model);

        // Act
        var ex = Assert.Throws<ModelException>(() => EncoderImporter.Import(path));

        // Assert
        Assert.Contains("'my_relu' (op Relu)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_known_operator_in_an_unknown_place_is_named_as_the_first_unsupported_node()
    {
        // Arrange: the FFN activation replaced by tanh alone (not GELU).
        var path = Path.Combine(dir, "tanh.onnx");
        var model = SyntheticBert.Build(Post(), mutate: g => g.Node.First(n => n.OpType == "Erf").OpType = "Tanh");
        SyntheticBert.Write(path, model);

        // Act
        var ex = Assert.Throws<ModelException>(() => EncoderImporter.Import(path));

        // Assert
        Assert.Contains("not GELU", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unsupported node", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_known_operator_spliced_into_the_residual_stream_is_reported_as_unclaimed()
    {
        // Arrange: the first attention output is scaled by 2 before its residual add (Mul is a known op).
        var path = Path.Combine(dir, "spliced.onnx");
        var model = SyntheticBert.Build(Post(), mutate: g =>
        {
            var softmax = g.Node.First(n => n.OpType == "Softmax");
            var projected = g.Node.First(n => n.OpType == "Add" && g.Node.IndexOf(n) > g.Node.IndexOf(softmax) && g.Initializer.Any(t => t.Name == n.Input[0]));
            var residual = g.Node.First(n => n.OpType == "Add" && n.Input.Contains(projected.Output[0]));
            var two = new Onnx.TensorProto { Name = "two", DataType = 1 };
            two.FloatData.Add(2f);
            g.Initializer.Add(two);
            var mul = new Onnx.NodeProto { OpType = "Mul", Name = "sneaky_scale", Input = { projected.Output[0], "two" }, Output = { "scaled" } };
            g.Node.Insert(g.Node.IndexOf(residual), mul);
            residual.Input[residual.Input.IndexOf(projected.Output[0])] = "scaled";
        });
        SyntheticBert.Write(path, model);

        // Act
        var ex = Assert.Throws<ModelException>(() => EncoderImporter.Import(path));

        // Assert
        Assert.Contains("'sneaky_scale' (op Mul)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_rejected()
    {
        var ex = Assert.Throws<ModelException>(() => EncoderImporter.Import(Path.Combine(dir, "absent.onnx")));
        Assert.Contains("no such model file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_file_is_rejected_before_parsing_its_tensors()
    {
        // Arrange
        var bytes = Google.Protobuf.MessageExtensions.ToByteArray(SyntheticBert.Build(Post()));
        var path = Path.Combine(dir, "truncated.onnx");
        File.WriteAllBytes(path, bytes[..(bytes.Length * 3 / 5)]);

        // Act
        var ex = Assert.Throws<ModelException>(() => EncoderImporter.Import(path));

        // Assert
        Assert.Contains("truncated or not a protobuf", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_rejected()
    {
        var path = Path.Combine(dir, "notes.onnx");
        File.WriteAllText(path, "These are my notes, not a neural network.\n");
        var ex = Assert.Throws<ModelException>(() => EncoderImporter.Import(path));
        Assert.Matches("not (a readable ONNX file|an ONNX model)", ex.Message);
    }

    [Fact]
    public void A_tensor_whose_dimensions_disagree_with_its_data_is_rejected()
    {
        var path = Path.Combine(dir, "size.onnx");
        SyntheticBert.Write(path, SyntheticBert.Build(Post(), mutate: g => g.Initializer.First(t => t.Dims.Count == 2).Dims[0] += 1));
        var ex = Assert.Throws<ModelException>(() => EncoderImporter.Import(path));
        Assert.Contains("but holds", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dimensions_too_large_to_allocate_are_refused_from_the_header()
    {
        var path = Path.Combine(dir, "huge.onnx");
        SyntheticBert.Write(path, SyntheticBert.Build(Post(), mutate: g =>
        {
            var t = g.Initializer.First(t => t.Dims.Count == 2);
            t.Dims[0] = 1L << 40;
            t.Dims[1] = 1L << 40;
        }));
        var ex = Assert.Throws<ModelException>(() => EncoderImporter.Import(path));
        Assert.Contains("refusing to allocate", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../outside.bin")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/../../outside.bin")]
    public void External_data_outside_the_model_folder_is_refused(string location)
    {
        // Arrange
        File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(dir)!, "outside.bin"), new byte[16]);
        var path = Path.Combine(dir, "external.onnx");
        SyntheticBert.Write(path, SyntheticBert.Build(Post(), mutate: g =>
        {
            var t = g.Initializer.First(t => t.Dims.Count == 2);
            t.RawData = Google.Protobuf.ByteString.Empty;
            t.DataLocation = Onnx.TensorProto.Types.DataLocation.External;
            t.ExternalData.Add(new Onnx.StringStringEntryProto { Key = "location", Value = location });
        }));

        // Act
        var ex = Assert.Throws<ModelException>(() => EncoderImporter.Import(path));

        // Assert
        Assert.Contains("outside the model's folder", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("offset=-8", "not a non-negative integer")]
    [InlineData("length=1000000", "declares")]
    [InlineData("offset=4000;length=6400", "truncated")]
    public void External_data_with_a_bad_offset_or_length_is_refused(string entries, string expected)
    {
        // Arrange: the word table in a side file, with one entry corrupted.
        var path = Path.Combine(dir, "badext.onnx");
        SyntheticBert.Write(path, SyntheticBert.Build(Post(), mutate: g =>
        {
            var t = g.Initializer.First(t => t.Dims.Count == 2 && t.Dims[0] == SyntheticBert.Vocab);
            File.WriteAllBytes(Path.Combine(dir, "w.bin"), t.RawData.ToByteArray());
            t.RawData = Google.Protobuf.ByteString.Empty;
            t.DataLocation = Onnx.TensorProto.Types.DataLocation.External;
            t.ExternalData.Add(new Onnx.StringStringEntryProto { Key = "location", Value = "w.bin" });
            foreach (var kv in entries.Split(';').Select(e => e.Split('=')))
            {
                t.ExternalData.Add(new Onnx.StringStringEntryProto { Key = kv[0], Value = kv[1] });
            }
        }));

        // Act
        var ex = Assert.Throws<ModelException>(() => EncoderImporter.Import(path));

        // Assert
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void External_data_inside_the_model_folder_is_read()
    {
        // Arrange: the word table moved to a side file.
        var path = Path.Combine(dir, "inside.onnx");
        SyntheticBert.Write(path, SyntheticBert.Build(Post(), mutate: g =>
        {
            var t = g.Initializer.First(t => t.Dims.Count == 2 && t.Dims[0] == SyntheticBert.Vocab);
            File.WriteAllBytes(Path.Combine(dir, "weights.bin"), [.. new byte[8], .. t.RawData.ToByteArray()]);
            t.RawData = Google.Protobuf.ByteString.Empty;
            t.DataLocation = Onnx.TensorProto.Types.DataLocation.External;
            t.ExternalData.Add(new Onnx.StringStringEntryProto { Key = "location", Value = "weights.bin" });
            t.ExternalData.Add(new Onnx.StringStringEntryProto { Key = "offset", Value = "8" });
        }));
        var reference = EncoderImporter.Import(WriteSame()).Model;

        // Act
        var model = EncoderImporter.Import(path).Model;

        // Assert
        Assert.Equal(reference.Embeddings.Word.Data.ToArray(), model.Embeddings.Word.Data.ToArray());
    }

    [Fact]
    public void An_opset_outside_11_to_17_is_refused()
    {
        var path = Path.Combine(dir, "opset.onnx");
        SyntheticBert.Write(path, SyntheticBert.Build(Post() with { Opset = 18 }));
        var ex = Assert.Throws<ModelException>(() => EncoderImporter.Import(path));
        Assert.Contains("opset 18 is not supported", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static BertSpelling Post() => new(false, false, false, false, -10000f, false, 13);

    private string WriteSame()
    {
        var p = Path.Combine(dir, "same.onnx");
        SyntheticBert.Write(p, SyntheticBert.Build(Post()));
        return p;
    }
}
