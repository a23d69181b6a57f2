#!/bin/sh
# Issue 19: FedMedCLIP's upload codecs side by side on one federation, 3 seeds each:
# bytes per site per round (mean over rounds and sites, and the largest single upload) and
# mean +- sd test accuracy, with the ratio against FedAVG's upload measured in the same run (FedAVG sends the
# trainable CLIP in fp32; its bytes do not depend on the data, so one round on 60 images
# per site measures them). Every upload is encoded, decoded, then aggregated.
#   bench/codec_accuracy.sh BUNDLE WORKDIR ROUNDS [extra simulate options...]
# CODECS and SEEDS (space-separated) pick a subset while iterating, e.g.
#   CODECS="fp32 mask-int8-delta-zlib" SEEDS=1 bench/codec_accuracy.sh BUNDLE /tmp/w 5
# A CODECS entry CODEC:OPT,OPT... adds those simulate options to that codec's runs only, e.g.
#   CODECS="fp32 mask-int8-delta-zlib:--delta-feedback,on mask-int8-delta-zlib:--delta-step,1"
set -eu
cli=${FMC_CLI:-build/bin/fedmedclip-cli}
bundle=$1 work=$2 rounds=$3
codecs=${CODECS:-fp32 fp16-zlib mask-int8-zlib mask-int8-delta-zlib}
seeds=${SEEDS:-1 2 3}
shift 3
data=../shared/data/dermoscopy-isic9
[ -d "$data" ] || { echo "skip: $data is absent"; exit 77; }
mkdir -p "$work"
common="--bundle $bundle --data $data/sites.csv --layout csv --site-column center --held-out <unknown> --cache $work/cache --device cpu"
for entry in $codecs; do
  codec=${entry%%:*} options=
  case $entry in *:*) options=$(echo "${entry#*:}" | tr ',' ' ') ;; esac
  name=$(echo "$entry" | tr ':,' '__')
  for seed in $seeds; do
    $cli simulate $common --codec $codec $options --seed $seed --rounds "$rounds" "$@" --out "$work/$name-seed$seed" >"$work/$name-seed$seed.log" 2>&1
  done
done
# FedAVG's bytes do not change between runs: a WORKDIR that has them keeps them.
[ -f "$work/fedavg.json" ] || $cli simulate $common --method fedavg --rounds 1 --max-images-per-site 60 --out "$work/fedavg" >"$work/fedavg.log" 2>&1
/usr/bin/python3 - "$work" "$codecs" "$seeds" <<'PY'
import json, statistics, sys
work, codecs, seeds = sys.argv[1], sys.argv[2].split(), [int(s) for s in sys.argv[3].split()]
fedavg = json.load(open(f"{work}/fedavg.json"))["rounds"][0]["upload_bytes_per_site"]
print(f"FedAVG upload per site per round: {fedavg} bytes")
sd = statistics.stdev if len(seeds) > 1 else (lambda values: 0.0)
print(f"| codec | bytes/site/round (mean) | largest upload (any round, site) | vs FedAVG | mean test acc % ({len(seeds)} seeds) | held-out acc % |")
print("|---|---|---|---|---|---|")
for codec in codecs:
    name = codec.replace(":", "_").replace(",", "_")
    runs = [json.load(open(f"{work}/{name}-seed{s}.json")) for s in seeds]
    per = [sum(r["upload_bytes_all_sites"] for r in j["rounds"]) / (len(j["rounds"]) * len(j["sites"])) for j in runs]
    acc = [100 * j["mean_test_accuracy"] for j in runs]
    held = [100 * j["held_out"]["test"]["accuracy"] for j in runs]
    largest = max(r["upload_bytes_per_site"] for j in runs for r in j["rounds"])
    b = statistics.mean(per)
    print(f"| {codec} | {b:,.0f} | {largest:,} | {fedavg / b:,.0f}x | {statistics.mean(acc):.2f} ± {sd(acc):.2f} | "
          f"{statistics.mean(held):.2f} ± {sd(held):.2f} |")
PY
