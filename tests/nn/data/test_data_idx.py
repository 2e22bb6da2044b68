"""The IDX reader/writer and the MNIST dataset, on tiny files written here."""

import gzip
import struct

import numpy as np
import pytest

from autograd.random import Generator
from nn.data import MNIST, DataLoader, read_idx, write_idx


def idx_bytes(code, shape, payload):
    """An IDX file built by hand from the format's definition, independent of write_idx."""
    return bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape) + payload


def test_reads_a_hand_written_uint8_file(tmp_path):
    path = tmp_path / "images"
    path.write_bytes(idx_bytes(0x08, (2, 2, 3), bytes(range(12))))
    a = read_idx(path)
    assert a.shape == (2, 2, 3) and a.dtype == np.uint8
    np.testing.assert_array_equal(a, np.arange(12).reshape(2, 2, 3))


def test_multi_byte_values_are_big_endian(tmp_path):
    path = tmp_path / "ints"
    path.write_bytes(idx_bytes(0x0C, (3,), struct.pack(">3i", 1, -2, 70000)))
    a = read_idx(path)
    assert a.dtype == np.int32 and a.dtype.isnative
    assert a.tolist() == [1, -2, 70000]
    path.write_bytes(idx_bytes(0x0E, (2,), struct.pack(">2d", 0.5, -3.25)))
    assert read_idx(path).tolist() == [0.5, -3.25]


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("name", ["data.idx", "data.idx.gz"])
def test_round_trip_every_idx_dtype_plain_and_gzipped(tmp_path, dtype, name):
    rng = np.random.default_rng(0)
    a = (rng.normal(size=(3, 4, 5)) * 50).astype(dtype)
    write_idx(tmp_path / name, a)
    back = read_idx(tmp_path / name)
    assert back.dtype == dtype and back.shape == (3, 4, 5)
    np.testing.assert_array_equal(back, a)
    assert (tmp_path / name).read_bytes()[:2] == (b"\x1f\x8b" if name.endswith(".gz") else b"\x00\x00")


def test_write_idx_lays_out_the_documented_header(tmp_path):
    write_idx(tmp_path / "labels", np.array([7, 2, 1], dtype=np.uint8))
    assert (tmp_path / "labels").read_bytes() == b"\x00\x00\x08\x01\x00\x00\x00\x03\x07\x02\x01"


def test_gzip_is_detected_by_content_not_by_name(tmp_path):
    path = tmp_path / "train-labels-idx1-ubyte"  # gzipped, but without the .gz suffix
    path.write_bytes(gzip.compress(idx_bytes(0x08, (4,), bytes([5, 0, 4, 1]))))
    assert read_idx(path).tolist() == [5, 0, 4, 1]


def test_bad_files_are_rejected_with_the_reason(tmp_path):
    path = tmp_path / "bad"
    path.write_bytes(b"\x01\x02\x08\x01\x00\x00\x00\x01\x00")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(path)
    path.write_bytes(idx_bytes(0x0A, (1,), b"\x00"))
    with pytest.raises(ValueError, match="unknown dtype code 0x0A"):
        read_idx(path)
    path.write_bytes(idx_bytes(0x08, (2, 3), bytes(5)))
    with pytest.raises(ValueError, match=r"shape \(2, 3\).*6 bytes of data, but holds 5"):
        read_idx(path)
    with pytest.raises(ValueError, match="no code for dtype int64"):
        write_idx(path, np.zeros(3, dtype=np.int64))


def write_mnist(folder, prefix, n=6, h=4, w=5, gz=False):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(n, h, w), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n).astype(np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    ext = ".gz" if gz else ""
    write_idx(folder / f"{prefix}-images-idx3-ubyte{ext}", images)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{ext}", labels)
    return images, labels


def test_mnist_scales_pixels_and_adds_a_channel(tmp_path):
    images, labels = write_mnist(tmp_path, "train")
    ds = MNIST(tmp_path / "train-images-idx3-ubyte", tmp_path / "train-labels-idx1-ubyte")
    assert len(ds) == 6
    x, y = ds[3]
    assert tuple(x.shape) == (1, 4, 5) and x.array.dtype == np.float32
    np.testing.assert_allclose(x.array[0], images[3] / 255.0, rtol=1e-6)
    assert y.array.dtype == np.int64 and int(y.array) == labels[3]
    flat = MNIST(tmp_path / "train-images-idx3-ubyte", tmp_path / "train-labels-idx1-ubyte", flatten=True)
    assert tuple(flat[0][0].shape) == (20,)
    xb, yb = next(iter(DataLoader(ds, batch_size=4, shuffle=True, generator=Generator(0))))
    assert tuple(xb.shape) == (4, 1, 4, 5) and 0.0 <= xb.array.min() and xb.array.max() <= 1.0


def test_mnist_from_dir_finds_standard_names_plain_gzipped_or_torchvision_layout(tmp_path):
    _, train_labels = write_mnist(tmp_path / "plain", "train", n=6)
    _, test_labels = write_mnist(tmp_path / "tv" / "MNIST" / "raw", "t10k", n=3, gz=True)
    train = MNIST.from_dir(tmp_path / "plain")
    assert len(train) == 6 and [int(train[i][1].array) for i in range(6)] == train_labels.tolist()
    assert len(MNIST.from_dir(tmp_path / "tv", train=False)) == 3
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte.*nothing is downloaded"):
        MNIST.from_dir(tmp_path / "plain", train=False)


def test_mnist_checks_images_and_labels_agree(tmp_path):
    write_idx(tmp_path / "images", np.zeros((4, 2, 2), np.uint8))
    write_idx(tmp_path / "labels", np.zeros(3, np.uint8))
    with pytest.raises(ValueError, match="4 images in .* but 3 labels"):
        MNIST(tmp_path / "images", tmp_path / "labels")
    with pytest.raises(ValueError, match=r"got \(3,\) and \(3,\)"):
        MNIST(tmp_path / "labels", tmp_path / "labels")
