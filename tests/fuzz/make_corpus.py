#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/<target>/ (the files are committed; run this again
only to change them). Valid examples come from tests/data/tiny, trimmed, plus small hostile ones.
Needs python3 and ImageMagick's `convert` (for the image seeds)."""
import collections
import json
import os
import pickle
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import types
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TINY = os.path.join(ROOT, "tests", "data", "tiny")
CORPUS = os.path.join(HERE, "corpus")


def out(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def crash(target, name, data):
    """A reproducer of a known crash: tests/fuzz/crashes/<target>/<name> (not a seed)."""
    d = os.path.join(HERE, "crashes", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(*parts):
    with open(os.path.join(*parts), "rb") as f:
        return f.read()


def convert(args, suffix):
    with tempfile.TemporaryDirectory() as t:
        path = os.path.join(t, "out." + suffix)
        # No time stamps in the files, so that writing the seeds again changes nothing.
        args = [*args, "+set", "date:create", "+set", "date:modify", "-define", "png:exclude-chunk=date,time"]
        subprocess.run(["convert", *args, path], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return read(path)


# ---- images ----
def images():
    imgs = os.path.join(TINY, "images")
    grad = ["-size", "23x17", "gradient:red-blue"]
    out("image_jpeg", "cmyk_48x36.jpg", read(imgs, "cmyk_48x36.jpg"))
    out("image_jpeg", "exif6_40x24.jpg", read(imgs, "exif6_40x24.jpg"))
    out("image_jpeg", "gray.jpg", convert(["-size", "16x9", "gradient:", "-colorspace", "Gray"], "jpg"))
    progressive = convert(grad + ["-interlace", "JPEG"], "jpg")
    out("image_jpeg", "progressive.jpg", progressive)
    out("image_jpeg", "truncated.jpg", progressive[: len(progressive) // 2])
    # Many comment markers before the image (a CPU bomb when each is handled expensively).
    base = read(imgs, "exif6_40x24.jpg")
    out("image_jpeg", "comments.jpg", base[:2] + b"\xff\xfe\x00\x04hi" * 2000 + base[2:])
    # SOF0 claiming 65000 x 65000 pixels, then nothing.
    out("image_jpeg", "huge_sof.jpg", b"\xff\xd8\xff\xc0\x00\x11\x08\xfd\xe8\xfd\xe8\x03\x01\x11\x00\x02\x11\x01\x03\x11\x01\xff\xd9")

    for name in ("checker_200x120.png", "grad_97x61.png", "gray_50x80.png"):
        out("image_png", name, read(imgs, name))
    out("image_png", "palette.png", convert(grad + ["-colors", "5"], "png"))
    out("image_png", "rgba16.png", convert(grad + ["-alpha", "set", "-depth", "16"], "png"))
    out("image_png", "interlaced.png", convert(grad + ["-interlace", "PNG"], "png"))
    png = read(imgs, "grad_97x61.png")
    out("image_png", "truncated.png", png[: len(png) // 2])
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    import zlib
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    out("image_png", "huge_ihdr.png", b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))

    gif = convert(grad + ["-colors", "8"], "gif")
    out("image_gif", "small.gif", gif)
    out("image_gif", "animated.gif", convert(["-delay", "10", "-size", "8x8", "xc:red", "xc:blue", "-loop", "0"], "gif"))
    out("image_gif", "truncated.gif", gif[: len(gif) * 2 // 3])
    out("image_gif", "huge_screen.gif", b"GIF89a\xff\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\xff\xff\xff\xff\x00\x02\x02D\x01\x00;")

    bmp = convert(grad, "bmp")
    out("image_bmp", "rgb24.bmp", bmp)
    out("image_bmp", "palette8.bmp", convert(grad + ["-colors", "16", "-type", "Palette"], "bmp"))
    out("image_bmp", "rgba32.bmp", convert(grad + ["-alpha", "set", "-define", "bmp:format=bmp4"], "bmp"))
    out("image_bmp", "truncated.bmp", bmp[: len(bmp) // 2])
    header = b"BM" + struct.pack("<IHHI", 54, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 60000, -60000, 1, 24, 0, 0, 0, 0, 0, 0)
    out("image_bmp", "huge_header.bmp", header)

    webp = convert(grad, "webp")
    out("image_webp", "lossy.webp", webp)
    out("image_webp", "lossless.webp", convert(grad + ["-define", "webp:lossless=true"], "webp"))
    out("image_webp", "alpha.webp", convert(grad + ["-alpha", "set", "-channel", "A", "-fx", "0.5"], "webp"))
    out("image_webp", "truncated.webp", webp[: len(webp) // 2])

    tif = convert(grad, "tif")
    out("image_tiff", "rgb.tif", tif)
    out("image_tiff", "lzw.tif", convert(grad + ["-compress", "LZW"], "tif"))
    out("image_tiff", "gray16.tif", convert(["-size", "9x7", "gradient:", "-colorspace", "Gray", "-depth", "16"], "tif"))
    out("image_tiff", "cmyk.tif", convert(grad + ["-colorspace", "CMYK"], "tif"))
    out("image_tiff", "truncated.tif", tif[: len(tif) // 2])

    out("image_svg", "rect.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="8"><rect x="1" y="1" width="5" height="4" fill="red"/></svg>')
    out("image_svg", "gradient.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="12" height="12" viewBox="0 0 12 12"><defs><linearGradient id="g"><stop offset="0" stop-color="#00f"/><stop offset="1" stop-color="#f00"/></linearGradient></defs><circle cx="6" cy="6" r="5" fill="url(#g)"/><path d="M1 1 L11 11 Z" stroke="black"/></svg>')
    out("image_svg", "huge.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><rect width="1" height="1"/></svg>')
    text_svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text x="1" y="8">hi</text></svg>'
    crash("image_svg", "text_element.svg", text_svg)  # issue 11 item 1: qFatal in a QCoreApplication
    crash("image_jpeg", "svg_text_named_jpg.jpg", text_svg)
    out("image_svg", "nested.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">' + "<g>" * 300 + "</g>" * 300 + "</svg>")


# ---- pytorch_model.bin and its pickle ----
def fake_torch():
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")
    sys.modules["torch"], sys.modules["torch._utils"] = torch, utils

    def make(module, name, obj):
        obj.__module__, obj.__qualname__, obj.__name__ = module.__name__, name, name
        setattr(module, name, obj)
        return obj

    storages = {n: make(torch, n, type(n, (), {})) for n in ("FloatStorage", "HalfStorage", "BFloat16Storage", "LongStorage")}
    rebuild = make(utils, "_rebuild_tensor_v2", lambda *a: None)
    return storages, rebuild


STORAGES, REBUILD = fake_torch()


class Storage:
    def __init__(self, key, kind, numel):
        self.key, self.kind, self.numel = key, kind, numel


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, tuple(size), tuple(stride), False, collections.OrderedDict())

    def __reduce__(self):
        return (REBUILD, self.args)


class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", STORAGES[obj.kind], obj.key, "cpu", obj.numel)
        return None


def torch_pickle(state):
    import io
    buf = io.BytesIO()
    TorchPickler(buf, protocol=2).dump(state)
    return buf.getvalue()


def torch_zip(pkl, storages):
    import io
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        entries = [("archive/data.pkl", pkl)] + [("archive/data/" + k, d) for k, d in storages.items()]
        for name, data in entries + [("archive/version", b"3\n")]:
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


def checkpoints():
    f32 = Storage("0", "FloatStorage", 12)
    f16 = Storage("1", "HalfStorage", 4)
    i64 = Storage("2", "LongStorage", 3)
    state = collections.OrderedDict()
    state["text_decoder.bert.embeddings.word_embeddings.weight"] = Tensor(f32, 0, [3, 4], [4, 1])
    state["vision_model.post_layernorm.bias"] = Tensor(f32, 2, [4], [2])
    state["text_decoder.cls.predictions.bias"] = Tensor(f16, 0, [4], [1])
    state["text_decoder.bert.embeddings.position_ids"] = Tensor(i64, 0, [1, 3], [3, 1])
    pkl = torch_pickle(state)
    data = {"0": struct.pack("<12f", *[i / 8 for i in range(12)]), "1": struct.pack("<4e", 0.5, -1, 2, 0),
            "2": struct.pack("<3q", 0, 1, 2)}
    # The pickle target gets archive/data/0..7 of 512 bytes from its harness: keys 0..2 fit.
    out("pickle", "state_dict.pkl", pkl)
    out("pickle", "empty_dict.pkl", torch_pickle(collections.OrderedDict()))
    out("pickle", "bad_view.pkl", torch_pickle({"w": Tensor(Storage("0", "FloatStorage", 64), 60, [4, 4], [4, 1])}))
    out("pickle", "negative_stride.pkl", torch_pickle({"w": Tensor(Storage("3", "FloatStorage", 16), 0, [4], [-1])}))
    out("pickle", "not_a_dict.pkl", pickle.dumps([1, 2.5, "x", (None, True)], protocol=2))
    out("pickle", "code_execution.pkl", b"\x80\x02cos\nsystem\nX\x04\x00\x00\x00echoq\x00\x85R.")
    crash("pickle", "deep_nesting.pkl", b"\x80\x02" + b"]" * 100000 + b"a" * 99999 + b".")  # issue 11 item 2
    out("pickle", "nested.pkl", b"\x80\x02" + b"]" * 2000 + b"a" * 1999 + b".")
    # The real model's pickle (its storage keys run to 94; those above 7 are missing here).
    with zipfile.ZipFile(os.path.join(TINY, "caption_bin", "pytorch_model.bin")) as z:
        out("pickle", "tiny_model.pkl", z.read("pytorch_model/data.pkl"))

    good = torch_zip(pkl, data)
    out("pytorch_bin", "small.bin", good)
    out("pytorch_bin", "truncated.bin", good[: len(good) - 40])
    out("pytorch_bin", "short_storage.bin", torch_zip(pkl, {**data, "0": data["0"][:20]}))
    out("pytorch_bin", "missing_storage.bin", torch_zip(pkl, {"0": data["0"]}))
    out("pytorch_bin", "nested.bin", torch_zip(b"\x80\x02" + b"]" * 2000 + b"a" * 1999 + b".", {}))
    import io
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("archive/data.pkl", date_time=(2024, 1, 1, 0, 0, 0)), pkl, zipfile.ZIP_DEFLATED)
    out("pytorch_bin", "deflated.bin", buf.getvalue())

    def safetensors(header, body, pad=True):
        h = json.dumps(header, separators=(",", ":")).encode()
        if pad:
            h += b" " * (-len(h) % 8)
        return struct.pack("<Q", len(h)) + h + body

    body = struct.pack("<6f", 1, 2, 3, 4, 5, 6) + struct.pack("<4e", 1, -2, 0.5, 0) + b"\x80\x3f\x00\x40" + struct.pack("<2q", 7, -7)
    header = {
        "__metadata__": {"format": "pt"},
        "a.weight": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
        "b.bias": {"dtype": "F16", "shape": [4], "data_offsets": [24, 32]},
        "c.bf16": {"dtype": "BF16", "shape": [2], "data_offsets": [32, 36]},
        "d.ids": {"dtype": "I64", "shape": [1, 2], "data_offsets": [36, 52]},
    }
    out("safetensors", "small.safetensors", safetensors(header, body))
    out("safetensors", "empty.safetensors", safetensors({}, b""))
    out("safetensors", "truncated.safetensors", safetensors(header, body[:30]))
    out("safetensors", "overlap.safetensors", safetensors({"x": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
                                                           "y": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}}, body[:24]))
    out("safetensors", "big_offsets.safetensors", safetensors({"x": {"dtype": "F32", "shape": [1 << 40], "data_offsets": [0, 1 << 42]}}, body))
    out("safetensors", "shape_overflow.safetensors", safetensors({"x": {"dtype": "F32", "shape": [1 << 32, 1 << 32, 4], "data_offsets": [0, 16]}}, body[:16]))
    out("safetensors", "bad_dtype.safetensors", safetensors({"x": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}}, body[:8]))
    out("safetensors", "huge_header_len.safetensors", struct.pack("<Q", (1 << 64) - 1) + b"{}")
    with open(os.path.join(TINY, "model.safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        h = json.loads(f.read(n))
    # The tiny model's header, first tensors only, with their data.
    keep = {k: v for k, v in h.items() if k != "__metadata__" and v["data_offsets"][1] - v["data_offsets"][0] <= 256}
    keep = dict(list(sorted(keep.items()))[:12])
    blob, fixed = b"", {}
    with open(os.path.join(TINY, "model.safetensors"), "rb") as f:
        raw = f.read()
    for k, v in keep.items():
        a, b = v["data_offsets"]
        piece = raw[8 + n + a: 8 + n + b]
        fixed[k] = {"dtype": v["dtype"], "shape": v["shape"], "data_offsets": [len(blob), len(blob) + len(piece)]}
        blob += piece
    out("safetensors", "tiny_model_part.safetensors", safetensors(fixed, blob))


# ---- configs and tokenizer ----
def configs():
    cfg = read(TINY, "config.json")
    out("config", "tiny_config.json", cfg)
    out("config", "minimal.json", '{"model_type":"blip"}')
    out("config", "text_only.json", '{"model_type":"blip_text_model","hidden_size":16}')
    out("config", "big_layers.json", '{"model_type":"blip","text_config":{"num_hidden_layers":1000000000},"vision_config":{"num_hidden_layers":4294967312}}')
    out("config", "bad_types.json", '{"model_type":"blip","projection_dim":"16","text_config":{"hidden_size":-1,"layer_norm_eps":NaN},"vision_config":[]}')
    # A float where an integer belongs: nlohmann's get<int>() casts it (undefined behaviour out of range).
    crash("config", "float_hidden_size.json", b'{"model_type":"blip","text_config":{"hidden_size":1e30}}')
    # A JSON type error that escapes parse_blip_config as nlohmann::type_error, not BlipError.
    crash("config", "model_type_number.json", b'{"model_type":16}')
    crash("preprocessor_config", "processor_type_number.json", b'{"image_processor_type":6862745098}')
    crash("preprocessor_config", "float_size.json", b'{"size":{"height":1e30,"width":5}}')
    h = json.dumps({"x": {"dtype": "F32", "shape": [1e30], "data_offsets": [0, 4]}}).encode()
    h += b" " * (-len(h) % 8)
    crash("safetensors", "float_shape.safetensors", struct.pack("<Q", len(h)) + h + b"\0" * 8)
    out("config", "nested.json", '{"model_type":"blip","x":' + "[" * 5000 + "]" * 5000 + "}")
    out("config", "not_json.json", "model_type: blip\n")
    out("preprocessor_config", "tiny_preprocessor_config.json", read(TINY, "preprocessor_config.json"))
    out("preprocessor_config", "shortest_edge.json", '{"size":{"shortest_edge":384},"image_mean":0.5,"image_std":[0.5,0.5,0.5]}')
    out("preprocessor_config", "hostile.json", '{"size":{"height":0,"width":2147483647},"rescale_factor":-1e308,"image_std":[0,0,0],"resample":99}')
    out("preprocessor_config", "empty.json", "{}")

    vocab = read(TINY, "vocab.txt").split(b"\n")
    words = [w for w in vocab[1000:] if w.isalpha()][:300] + [w for w in vocab if w.startswith(b"##")][:60]
    small_vocab = b"\n".join(vocab[:1000] + words) + b"\n"
    added = read(TINY, "added_tokens.json")
    tok_config = read(TINY, "tokenizer_config.json")
    sep = b"\n#--\n"
    text = "A photo of a dog, running on the beach! Über-naïve café 北京 \u00e9\u0301 [SEP] [dec]".encode()
    out("tokenizer", "vocab_txt", b"\x06" + small_vocab + sep + added + sep + tok_config + sep + text)
    out("tokenizer", "vocab_only", b"\x00" + b"[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\n##b\nphoto\n" + sep + sep + sep + b"a photo abab")
    tj = {"model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {t.decode(): i for i, t in enumerate(vocab[:400] + words[:50]) if t}},
          "added_tokens": [{"id": 30522, "content": "[DEC]"}, {"id": 30523, "content": "[ENC]"}]}
    out("tokenizer", "tokenizer_json", b"\x05" + json.dumps(tj).encode() + sep + sep + b'{"do_lower_case": false}' + sep + text)
    out("tokenizer", "bad_ids", b"\x03" + b'{"model":{"type":"WordPiece","vocab":{"[PAD]":0,"[UNK]":9999999,"[CLS]":-1}}}' + sep + b'{"[DEC]":-5,"[ENC]":1e30}' + sep + sep + text)
    out("tokenizer", "long_word", b"\x00" + b"[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n##a\na\n" + sep + sep + sep + b"a" * 3000)


# ---- Hub API ----
def hub():
    files = ["config.json", "preprocessor_config.json", "special_tokens_map.json", "tokenizer_config.json", "vocab.txt",
             "model.safetensors", "pytorch_model.bin", "README.md", ".gitattributes"]
    doc = {"_id": "x", "id": "Salesforce/blip-fuzz", "sha": "0" * 40, "siblings": [{"rfilename": f} for f in files]}
    out("hub_api", "blip_repo.json", b"\x00" + json.dumps(doc).encode())
    out("hub_api", "all_files.json", b"\x01" + json.dumps(doc).encode())
    out("hub_api", "traversal.json", b"\x03" + json.dumps({"siblings": [{"rfilename": n} for n in
        ["../../outside/config.json", "/etc/passwd", "a/../../b", "sub/dir/file.json", "", ".", "..", "x\u0000y", "c:\\\\x"]]}).encode())
    out("hub_api", "wrong_types.json", b"\x02" + json.dumps({"siblings": {"rfilename": 1}, "id": [], "x": None}).encode())
    out("hub_api", "not_json.txt", b"\x00<html>rate limited</html>")


# ---- library database ----
def library():
    sql = read(ROOT, "tests", "data", "library", "schema_v1.sql").decode()
    with tempfile.TemporaryDirectory() as t:
        def make(name, extra="", write=out):
            path = os.path.join(t, name)
            db = sqlite3.connect(path)
            db.execute("PRAGMA page_size = 512")
            db.executescript(sql + extra)
            db.commit()
            db.execute("VACUUM")
            db.close()
            write("library", name, read(path))
        make("schema_v1.db")
        # Issue 11, item 5: steps[v] with v = -1 in LibraryDatabase::migrate.
        make("schema_version_minus_one.db", "UPDATE schema_version SET version = -1;", write=crash)
        make("version_future.db", "UPDATE schema_version SET version = 99;")
        make("bad_dim.db", "UPDATE embeddings SET dim = 1000000 WHERE photo_id = 2;")
        make("mixed_dims.db", "INSERT INTO photos VALUES (3, 1, '/photos/holiday/x.jpg', 1, 1, 'cc', 1, 1, NULL);"
                              "INSERT INTO embeddings VALUES (3, 'blip-itm@0123456789abcdef', 3, X'0000803F0000803F');")
        make("no_version_rows.db", "DELETE FROM schema_version;")
    out("library", "not_sqlite.db", b"SQLite format 3\x00" + b"\xff" * 84)
    out("library", "empty.db", b"")


def main():
    if os.path.isdir(CORPUS):
        for d in os.listdir(CORPUS):
            if d in ("image_jpeg", "image_png", "image_gif", "image_bmp", "image_webp", "image_tiff", "image_svg", "pickle",
                     "pytorch_bin", "safetensors", "config", "preprocessor_config", "tokenizer", "hub_api", "library"):
                shutil.rmtree(os.path.join(CORPUS, d))
    images()
    checkpoints()
    configs()
    hub()
    library()


if __name__ == "__main__":
    main()
