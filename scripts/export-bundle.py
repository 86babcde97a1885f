#!/usr/bin/env python3
"""Export a nullcam model bundle from public Stable Diffusion 1.5 + IP-Adapter FaceID weights.

nullcam cannot run this on its own machines (no PyPI, no model hubs there). Run it on a machine where you
have Python 3.10+, torch, diffusers (>= 0.28, which loads FaceID checkpoints), transformers, onnx, and the
weights on disk or reachable:

  pip install torch diffusers transformers onnx safetensors   # plus onnxruntime for --check
  python scripts/export-bundle.py --out bundles/sd15-faceid \\
      --sd15 runwayml/stable-diffusion-v1-5 \\
      --faceid-dir h94/IP-Adapter-FaceID --faceid-weight ip-adapter-faceid_sd15.bin \\
      --arcface ~/.insightface/models/buffalo_l/w600k_r50.onnx \\
      [--fp16 --device cuda] [--check]

--sd15 and --faceid-dir take a Hugging Face repo id or a local directory. --arcface is InsightFace's
buffalo_l recognizer (already ONNX; `insightface` downloads it on first use of FaceAnalysis("buffalo_l")).
Mind the licences of each set of weights (SD 1.5: CreativeML OpenRAIL-M; InsightFace models: non-commercial
research use).

What it writes (see README "Model bundles" and src/diffuse/bundle/bundle-manifest.ts):
  unet.onnx (+ unet.onnx.data)   sample[B,4,64,64], timestep[B] float32, text[B,77,768], identity[B,4,768]
                                 -> noise[B,4,64,64]; the FaceID LoRA merged (W + B.A, scale 1), the IP-Adapter
                                 cross-attention (to_k_ip/to_v_ip, scale 1.0) built in
  vae-encoder.onnx               image[B,3,512,512] in [-1,1] -> latent[B,4,64,64], the posterior MEAN, unscaled
  vae-decoder.onnx               latent[B,4,64,64] unscaled -> image[B,3,512,512]
  projector.onnx                 embedding[B,512] -> tokens[B,4,768] (FaceID MLPProjModel)
  identity-encoder.onnx          ArcFace w600k_r50: image[B,3,112,112] BGR in [-1,1] -> embedding[B,512]
  null-text.npy                  CLIP ViT-L/14 of "" : [77,768] float32
  null-identity.npy              the projection of a zero embedding: [4,768] float32
  manifest.json                  names, dtypes, shapes, scheduler, scaling factor, sha256 of every file
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile

ARCFACE_TEMPLATE_112 = [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]]
OPSET = 17


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="bundle directory to create")
    p.add_argument("--sd15", default="runwayml/stable-diffusion-v1-5")
    p.add_argument("--faceid-dir", default="h94/IP-Adapter-FaceID")
    p.add_argument("--faceid-weight", default="ip-adapter-faceid_sd15.bin")
    p.add_argument("--arcface", required=True, help="path to InsightFace w600k_r50.onnx")
    p.add_argument("--fp16", action="store_true", help="half-precision weights and I/O (for CUDA; not for CPU)")
    p.add_argument("--device", default="cuda" if os.environ.get("CUDA_VISIBLE_DEVICES", "") != "" else "cpu")
    p.add_argument("--check", action="store_true", help="compare each ONNX graph with torch on random input (needs onnxruntime)")
    return p.parse_args()


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    args = parse_args()
    import numpy as np
    import onnx
    import torch
    from diffusers import StableDiffusionPipeline

    if os.path.exists(args.out) and os.listdir(args.out):
        sys.exit(f"{args.out} exists and is not empty")
    dtype = torch.float16 if args.fp16 else torch.float32
    fdt = "float16" if args.fp16 else "float32"
    dev = torch.device(args.device)

    # 1. SD 1.5, then IP-Adapter FaceID. diffusers loads the checkpoint's LoRA as adapter "faceid_0" at weight 1.0;
    #    fuse it into the UNet weights (W + B.A) so the exported graph needs no LoRA.
    pipe = StableDiffusionPipeline.from_pretrained(args.sd15, torch_dtype=dtype, safety_checker=None, requires_safety_checker=False)
    pipe.load_ip_adapter(args.faceid_dir, subfolder=None, weight_name=args.faceid_weight, image_encoder_folder=None)
    pipe.set_ip_adapter_scale(1.0)
    adapters = pipe.get_active_adapters() if hasattr(pipe, "get_active_adapters") else []
    if adapters:
        pipe.fuse_lora(adapter_names=adapters, lora_scale=1.0)
        pipe.unload_lora_weights()
    else:
        print("warning: no LoRA adapter was loaded with the FaceID checkpoint; the UNet is exported without it", file=sys.stderr)
    pipe.to(dev)
    unet, vae = pipe.unet.eval(), pipe.vae.eval()
    projection = unet.encoder_hid_proj.image_projection_layers[0]

    class PassTokens(torch.nn.Module):
        """Replaces the UNet's own projection: the bundle feeds identity tokens, projected once per track."""

        def forward(self, image_embeds):
            return image_embeds

    unet.encoder_hid_proj = PassTokens()

    class Unet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.unet = unet

        def forward(self, sample, timestep, text, identity):
            return self.unet(sample, timestep, encoder_hidden_states=text, added_cond_kwargs={"image_embeds": [identity]}, return_dict=False)[0]

    class Encoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.vae = vae

        def forward(self, image):
            return self.vae.encode(image).latent_dist.mean

    class Decoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.vae = vae

        def forward(self, latent):
            return self.vae.decode(latent, return_dict=False)[0]

    class Projector(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = projection

        def forward(self, embedding):
            return self.proj(embedding)

    out = args.out
    os.makedirs(out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="nullcam-export-")
    B = 2

    def rand(*shape):
        return torch.randn(*shape, device=dev, dtype=dtype)

    def export(module, name, inputs, input_names, output_names, dynamic):
        """Exports through a scratch directory, then re-saves with all weights in one external-data file."""
        tmp = os.path.join(work, f"{name}.onnx")
        with torch.no_grad():
            torch.onnx.export(module, inputs, tmp, input_names=input_names, output_names=output_names,
                              dynamic_axes={n: {0: "batch"} for n in dynamic}, opset_version=OPSET, do_constant_folding=True)
        model = onnx.load(tmp, load_external_data=True)
        target = os.path.join(out, f"{name}.onnx")
        large = sum(t.ByteSize() for t in model.graph.initializer) > (1 << 30)
        if large:
            onnx.save_model(model, target, save_as_external_data=True, all_tensors_to_one_file=True, location=f"{name}.onnx.data", size_threshold=1024)
        else:
            onnx.save_model(model, target)
        print(f"exported {target}{' (+ .data)' if large else ''}", file=sys.stderr)
        return target

    t = torch.tensor([981.0, 1.0], device=dev, dtype=torch.float32)
    unet_inputs = (rand(B, 4, 64, 64), t, rand(B, 77, 768), rand(B, 4, 768))
    export(Unet(), "unet", unet_inputs, ["sample", "timestep", "text", "identity"], ["noise"], ["sample", "timestep", "text", "identity", "noise"])
    enc_inputs = (rand(B, 3, 512, 512).clamp(-1, 1),)
    export(Encoder(), "vae-encoder", enc_inputs, ["image"], ["latent"], ["image", "latent"])
    dec_inputs = (rand(B, 4, 64, 64),)
    export(Decoder(), "vae-decoder", dec_inputs, ["latent"], ["image"], ["latent", "image"])
    proj_inputs = (rand(B, 512),)
    export(Projector(), "projector", proj_inputs, ["embedding"], ["tokens"], ["embedding", "tokens"])

    # 2. ArcFace: already ONNX. Make its batch dim dynamic (the loader feeds any batch) and record its I/O names.
    arc = onnx.load(args.arcface)
    for v in list(arc.graph.input) + list(arc.graph.output):
        d0 = v.type.tensor_type.shape.dim[0]
        d0.Clear()
        d0.dim_param = "batch"
    onnx.save_model(arc, os.path.join(out, "identity-encoder.onnx"))
    arc_in, arc_out = arc.graph.input[0].name, arc.graph.output[0].name

    # 3. CLIP ViT-L/14 of the empty prompt: a constant, so the bundle needs no text encoder.
    with torch.no_grad():
        ids = pipe.tokenizer("", padding="max_length", max_length=pipe.tokenizer.model_max_length, truncation=True, return_tensors="pt").input_ids.to(dev)
        null_text = pipe.text_encoder(ids)[0][0].float().cpu().numpy()
    np.save(os.path.join(out, "null-text.npy"), np.ascontiguousarray(null_text, dtype=np.float32))
    # The null identity condition: the projection of a zero embedding (bias-driven tokens, not zeros).
    with torch.no_grad():
        null_identity = Projector()(torch.zeros(1, 512, device=dev, dtype=dtype))[0].float().cpu().numpy()
    np.save(os.path.join(out, "null-identity.npy"), np.ascontiguousarray(null_identity, dtype=np.float32))

    sc = pipe.scheduler.config

    def tensor(name, shape, dt=fdt):
        return {"name": name, "dtype": dt, "shape": shape}

    latent, image = ["batch", 4, 64, 64], ["batch", 3, 512, 512]
    files = sorted(f for f in os.listdir(out) if f != "manifest.json")
    manifest = {
        "format": "nullcam-model-bundle",
        "version": 1,
        "family": "sd15-ip-adapter-faceid",
        "description": f"SD 1.5 ({args.sd15}) + IP-Adapter FaceID ({args.faceid_weight}, LoRA merged), ArcFace w600k_r50; {fdt}",
        "latent": {"channels": 4, "height": 64, "width": 64},
        "imageSize": 512,
        "scalingFactor": float(vae.config.scaling_factor),
        "scheduler": {
            "numTrainTimesteps": int(sc.num_train_timesteps),
            "betaStart": float(sc.beta_start),
            "betaEnd": float(sc.beta_end),
            "betaSchedule": str(sc.beta_schedule),
            "stepsOffset": int(sc.get("steps_offset", 1)),
            "timestepSpacing": str(sc.get("timestep_spacing", "leading")),
        },
        "unet": {"file": "unet.onnx", "inputs": {"sample": tensor("sample", latent), "timestep": tensor("timestep", ["batch"], "float32"),
                                                  "text": tensor("text", ["batch", 77, 768]), "identity": tensor("identity", ["batch", 4, 768])},
                 "outputs": {"noise": tensor("noise", latent)}},
        "vaeEncoder": {"file": "vae-encoder.onnx", "inputs": {"image": tensor("image", image)}, "outputs": {"latent": tensor("latent", latent)}},
        "vaeDecoder": {"file": "vae-decoder.onnx", "inputs": {"latent": tensor("latent", latent)}, "outputs": {"image": tensor("image", image)}},
        "projector": {"file": "projector.onnx", "inputs": {"embedding": tensor("embedding", ["batch", 512])}, "outputs": {"tokens": tensor("tokens", ["batch", 4, 768])}},
        "identityEncoder": {"file": "identity-encoder.onnx", "inputs": {"image": tensor(arc_in, ["batch", 3, 112, 112], "float32")},
                            "outputs": {"embedding": tensor(arc_out, ["batch", 512], "float32")},
                            "template": ARCFACE_TEMPLATE_112, "channelOrder": "bgr", "inputRange": [-1, 1]},
        "nullText": {"file": "null-text.npy", "dtype": "float32", "shape": [77, 768]},
        "nullIdentity": {"file": "null-identity.npy", "dtype": "float32", "shape": [4, 768]},
        "files": {f: sha256(os.path.join(out, f)) for f in files},
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    shutil.rmtree(work, ignore_errors=True)

    if args.check:
        check(out, dev, [("unet", Unet(), unet_inputs, ["sample", "timestep", "text", "identity"]),
                         ("vae-encoder", Encoder(), enc_inputs, ["image"]), ("vae-decoder", Decoder(), dec_inputs, ["latent"]),
                         ("projector", Projector(), proj_inputs, ["embedding"])])
    print(f"bundle written to {out}; check it with: nullcam doctor --bundle {out}", file=sys.stderr)


def check(out, dev, graphs):
    """Max |torch - onnxruntime| per graph on the export inputs: catches a wrong export before nullcam runs it."""
    import numpy as np
    import onnxruntime as ort
    import torch

    providers = ["CUDAExecutionProvider", "CPUExecutionProvider"] if dev.type == "cuda" else ["CPUExecutionProvider"]
    for name, module, inputs, names in graphs:
        with torch.no_grad():
            want = module(*inputs).float().cpu().numpy()
        sess = ort.InferenceSession(os.path.join(out, f"{name}.onnx"), providers=providers)
        got = sess.run(None, {n: x.cpu().numpy() for n, x in zip(names, inputs)})[0].astype(np.float32)
        print(f"check {name}: max |torch - onnxruntime| = {np.abs(want - got).max():.3g}", file=sys.stderr)


if __name__ == "__main__":
    main()
