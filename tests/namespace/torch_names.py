"""Issue 17's checklist: the public torch names that tutorials and courses commonly use, each one either present in
``pathgrad`` (``import pathgrad as torch``) or listed in ``DELIBERATELY_ABSENT`` with the reason.

The names were chosen from torch's API reference (docs.pytorch.org/docs/stable: torch.html, tensors.html,
tensor_attributes.html, nn.html, nn.functional.html, nn.init.html, optim.html, data.html, autograd.html,
linalg.html, distributions.html, cuda.html), section by section, for how often they appear in tutorials and courses,
not for whether pathgrad has them; test_torch_checklist_vs_torch.py checks that each one exists in torch 2.13.

Names are dotted paths relative to the namespace: ``"topk"`` is ``torch.topk``, ``"Tensor.topk"`` is the method on
the class, ``"nn.functional.relu"`` is ``torch.nn.functional.relu``. A name is present when the attribute walk from
the freshly imported namespace succeeds, which is what ``import pathgrad as torch; torch.nn.utils.rnn...`` finds.

``python -m tests.namespace.torch_names`` (from the repository root) prints the coverage table and what is missing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _names(prefix: str, text: str) -> tuple[str, ...]:
    return tuple(f"{prefix}.{name}" if prefix else name for name in text.split())


CHECKLIST: dict[str, tuple[str, ...]] = {
    # torch.html "Tensors", tensor_attributes.html and tensors.html's legacy types
    "torch: types, dtypes, defaults": _names("", """
        Tensor Size dtype device Generator finfo iinfo
        float32 float64 float16 bfloat16 int32 int64 uint8 bool complex64
        float double half long int
        FloatTensor LongTensor
        is_tensor is_floating_point numel get_default_dtype set_default_dtype set_printoptions
    """),
    # torch.html "Creation Ops" and "Random sampling"
    "torch: creation, random": _names("", """
        tensor as_tensor from_numpy sparse_coo_tensor
        zeros zeros_like ones ones_like empty full full_like arange linspace eye
        manual_seed get_rng_state set_rng_state
        rand rand_like randn randn_like randint randperm normal bernoulli multinomial
    """),
    # torch.html "Indexing, Slicing, Joining, Mutating Ops"
    "torch: indexing, joining": _names("", """
        cat concat stack hstack vstack split chunk unbind
        reshape squeeze unsqueeze flatten transpose permute t narrow
        gather scatter index_select masked_select where nonzero tile
    """),
    # torch.html "Pointwise Ops"
    "torch: pointwise": _names("", """
        abs neg sign add sub mul div floor_divide remainder pow sqrt square reciprocal
        exp log log1p sin cos tanh sigmoid relu softmax log_softmax erf
        floor ceil round clamp clip addcmul addcdiv nan_to_num
        logical_and logical_or logical_not
    """),
    # torch.html "Reduction Ops" and "Comparison Ops"
    "torch: reductions, comparisons": _names("", """
        sum mean std var prod max min amax amin argmax argmin median all any norm logsumexp cumsum
        var_mean quantile unique bincount
        eq ne gt ge lt le maximum minimum equal allclose isclose isnan isinf isfinite
        sort argsort topk
    """),
    # torch.html "Other Operations" and "BLAS and LAPACK Operations"
    "torch: other, BLAS/LAPACK": _names("", """
        clone broadcast_to broadcast_tensors meshgrid einsum flip roll repeat_interleave
        diag diagonal tril triu trace cdist
        matmul mm bmm dot outer addmm tensordot det inverse
    """),
    # torch.html "Locally disabling gradient computation", "Serialization", "Parallelism", and the rest
    "torch: grad modes, save/load, misc": _names("", """
        no_grad enable_grad set_grad_enabled is_grad_enabled inference_mode is_inference_mode_enabled
        save load get_num_threads set_num_threads use_deterministic_algorithms compile vmap autocast
    """),
    # cuda.html, backends.html, accelerator.html, amp.html: what device-agnostic scripts call
    "torch: cuda, backends, amp": _names("", """
        cuda.is_available cuda.device_count cuda.current_device cuda.get_device_name
        cuda.manual_seed cuda.manual_seed_all cuda.empty_cache cuda.synchronize cuda.memory_allocated
        cuda.Stream cuda.Event
        backends.mps.is_available backends.cudnn.benchmark backends.cudnn.deterministic
        accelerator.is_available amp.GradScaler
    """),
    "torch: other subsystems": _names("", """
        jit.script jit.trace onnx.export hub.load distributed.init_process_group fft.fft
        quantization.quantize_dynamic
        func.grad func.vmap func.functional_call func.jacrev
    """),
    # tensors.html: attributes, conversions, and the methods tutorials call on tensors
    "Tensor": _names("Tensor", """
        shape dtype device grad grad_fn requires_grad is_leaf data ndim T mT is_cuda
        size dim numel item tolist numpy to cpu cuda float double half int long bool type type_as
        clone detach detach_ contiguous is_contiguous stride data_ptr new_zeros new_ones to_sparse
        view view_as reshape reshape_as expand expand_as repeat permute transpose t squeeze unsqueeze
        flatten unflatten narrow unfold split chunk unbind flip roll
        gather scatter index_select masked_fill masked_fill_ masked_select nonzero where
        sum mean std var prod max min amax amin argmax argmin all any norm cumsum logsumexp
        sort argsort topk unique
        abs neg exp log sqrt pow tanh sigmoid relu softmax log_softmax clamp add sub mul div matmul mm
        eq ne lt le gt ge isnan equal
        add_ sub_ mul_ div_ clamp_ zero_ fill_ copy_ uniform_ normal_
        requires_grad_ backward register_hook retain_grad retains_grad
    """),
    # nn.html: containers, layers, activations, normalization, recurrent, transformer, losses
    "nn: modules": _names("nn", """
        Module Parameter Sequential ModuleList ModuleDict ParameterList Identity
        Linear Conv1d Conv2d Conv3d ConvTranspose2d MaxPool1d MaxPool2d AvgPool1d AvgPool2d
        AdaptiveAvgPool2d Upsample Flatten Unflatten
        ReLU ReLU6 LeakyReLU PReLU ELU SELU GELU SiLU Mish Sigmoid Tanh Softmax LogSoftmax Softplus Hardswish
        BatchNorm1d BatchNorm2d LayerNorm GroupNorm InstanceNorm2d RMSNorm Dropout Dropout2d Embedding
        RNN LSTM GRU LSTMCell MultiheadAttention Transformer
        TransformerEncoder TransformerEncoderLayer TransformerDecoder TransformerDecoderLayer
        CosineSimilarity
        L1Loss MSELoss CrossEntropyLoss NLLLoss BCELoss BCEWithLogitsLoss KLDivLoss HuberLoss SmoothL1Loss
        MarginRankingLoss TripletMarginLoss
        DataParallel parallel.DistributedDataParallel
    """),
    # nn.html's Module: what a training script calls on a model
    "nn.Module methods": _names("nn.Module", """
        forward parameters named_parameters buffers named_buffers children named_children modules named_modules
        train eval to cuda double float zero_grad state_dict load_state_dict apply register_buffer
        register_forward_hook register_full_backward_hook requires_grad_
    """),
    "nn.functional": _names("nn.functional", """
        relu relu6 leaky_relu elu gelu silu mish sigmoid tanh softmax log_softmax softplus logsigmoid
        linear conv1d conv2d conv_transpose2d max_pool1d max_pool2d avg_pool1d avg_pool2d adaptive_avg_pool2d
        dropout embedding one_hot pad interpolate unfold fold normalize
        batch_norm layer_norm group_norm instance_norm rms_norm
        cross_entropy nll_loss mse_loss l1_loss binary_cross_entropy binary_cross_entropy_with_logits kl_div
        huber_loss smooth_l1_loss cosine_similarity scaled_dot_product_attention
    """),
    "nn.init": _names("nn.init", """
        calculate_gain uniform_ normal_ constant_ ones_ zeros_ eye_ xavier_uniform_ xavier_normal_
        kaiming_uniform_ kaiming_normal_ orthogonal_ trunc_normal_
    """),
    "nn.utils": _names("nn.utils", """
        clip_grad_norm_ clip_grad_value_ parameters_to_vector vector_to_parameters spectral_norm
        parametrizations.weight_norm
        rnn.pad_sequence rnn.pack_padded_sequence rnn.pad_packed_sequence rnn.pack_sequence rnn.PackedSequence
    """),
    "optim": _names("optim", """
        Optimizer SGD Adam AdamW RMSprop Adagrad Adadelta NAdam RAdam LBFGS
        Optimizer.zero_grad Optimizer.step Optimizer.state_dict Optimizer.load_state_dict Optimizer.add_param_group
    """),
    "optim.lr_scheduler": _names("optim.lr_scheduler", """
        LRScheduler StepLR MultiStepLR ExponentialLR CosineAnnealingLR CosineAnnealingWarmRestarts
        ReduceLROnPlateau OneCycleLR CyclicLR LambdaLR LinearLR ConstantLR SequentialLR
        LRScheduler.get_last_lr LRScheduler.step
    """),
    "utils.data": _names("utils", """
        data.Dataset data.IterableDataset data.TensorDataset data.DataLoader data.Subset data.ConcatDataset
        data.ChainDataset data.random_split data.Sampler data.SequentialSampler data.RandomSampler
        data.SubsetRandomSampler data.WeightedRandomSampler data.BatchSampler data.default_collate
        data.get_worker_info checkpoint.checkpoint
    """),
    "autograd": _names("autograd", """
        backward grad Function Variable gradcheck gradgradcheck set_detect_anomaly detect_anomaly
        functional.jacobian functional.hessian functional.vjp functional.jvp
        forward_ad.dual_level forward_ad.make_dual forward_ad.unpack_dual
    """),
    "linalg": _names("linalg", """
        norm vector_norm matrix_norm solve inv det slogdet eig eigh eigvalsh svd qr cholesky lstsq pinv
    """),
    "distributions": _names("distributions", """
        Distribution Normal Categorical Bernoulli Uniform MultivariateNormal kl_divergence
    """),
}

_TORCHSCRIPT = "TorchScript compiles to a C++ runtime; pathgrad runs eagerly in Python (torch.compile passes through)"

DELIBERATELY_ABSENT: dict[str, str] = {
    "complex64": "no complex dtypes: pathgrad differentiates real functions only",
    "bfloat16": "NumPy has no bfloat16, and pathgrad's dtypes are NumPy's",
    "sparse_coo_tensor": "sparse tensors: pathgrad's tensors are dense NumPy arrays",
    "Tensor.to_sparse": "sparse tensors: pathgrad's tensors are dense NumPy arrays",
    "linalg.eig": "a general matrix's eigenvalues are complex, and there are no complex dtypes (linalg.eigh is there)",
    "autocast": "mixed precision is a GPU speed feature (bfloat16/CUDA kernels); pathgrad runs NumPy on the CPU",
    "amp.GradScaler": "loss scaling exists for float16 training on GPUs; pathgrad runs NumPy on the CPU",
    "cuda.Stream": "CUDA streams: there is no GPU, and nothing runs asynchronously",
    "cuda.Event": "CUDA events time GPU streams: there is no GPU",
    "jit.script": _TORCHSCRIPT,
    "jit.trace": _TORCHSCRIPT,
    "onnx.export": "exporting graphs to other runtimes is out of scope for a teaching engine",
    "hub.load": "downloads pretrained models over the network; pathgrad ships no model zoo",
    "distributed.init_process_group": "multi-process training is out of scope: one process, one CPU",
    "nn.parallel.DistributedDataParallel": "multi-process training is out of scope: one process, one CPU",
    "nn.DataParallel": "multi-GPU training: there is no GPU",
    "fft.fft": "the FFT's results are complex, and pathgrad has no complex dtypes",
    "quantization.quantize_dynamic": "int8 quantized kernels are a deployment feature, out of scope",
}

ALL_NAMES: tuple[str, ...] = tuple(name for names in CHECKLIST.values() for name in names)


def resolve(root: Any, dotted: str) -> bool:
    """Whether the attribute walk ``root.a.b.c`` succeeds (``Tensor.x`` is looked up on the class)."""
    obj = root
    for part in dotted.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            return False
    return True


def present_names(root: Any) -> set[str]:
    return {name for name in ALL_NAMES if resolve(root, name)}


def missing_by_category(present: set[str]) -> dict[str, list[str]]:
    """Names neither present nor deliberately absent, by category (categories with none left out)."""
    missing = {cat: [n for n in names if n not in present and n not in DELIBERATELY_ABSENT]
               for cat, names in CHECKLIST.items()}
    return {cat: names for cat, names in missing.items() if names}


def coverage_table(present: set[str]) -> str:
    rows = [("category", "names", "present", "absent", "missing", "coverage")]
    for cat, names in [*CHECKLIST.items(), ("total", ALL_NAMES)]:
        have = sum(n in present for n in names)
        absent = sum(n in DELIBERATELY_ABSENT for n in names)
        missing = len(names) - have - sum(n in DELIBERATELY_ABSENT and n not in present for n in names)
        rows.append((cat, str(len(names)), str(have), str(absent), str(missing), f"{100 * have / len(names):.1f}%"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
             for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Prints the coverage table, the missing names and the deliberately absent ones; ``--json`` prints only the
    present names (one JSON line), for the test that needs a freshly imported namespace."""
    argv = sys.argv[1:] if argv is None else argv
    root = str(Path(__file__).resolve().parents[2])
    if root not in sys.path:
        sys.path.insert(0, root)
    import pathgrad

    present = present_names(pathgrad)
    if "--json" in argv:
        print(json.dumps(sorted(present)))
        return 0
    print(coverage_table(present))
    for cat, names in missing_by_category(present).items():
        print(f"\nmissing, {cat} ({len(names)}): {' '.join(names)}")
    print("\ndeliberately absent:")
    for name, reason in DELIBERATELY_ABSENT.items():
        print(f"  {name}: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
