#!/usr/bin/env python3
"""Writes a synthetic ICD-10-CM order file (CMS fixed-width layout) of about 74,000 billable codes plus headers,
for import and search benchmarks when the real icd10cm_order_YYYY.txt is not at hand. Descriptions are made of
clinical words so word search has realistic posting lists. Usage: generate_icd10cm_order.py OUT [BILLABLE]"""
import random, sys

out, target = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 74000
rng = random.Random(2027)
sites = "head neck chest abdomen pelvis shoulder elbow wrist hand hip knee ankle foot spine lung heart kidney liver colon skin eye ear".split()
conds = ("fracture sprain contusion laceration infection inflammation neoplasm ulcer stenosis hemorrhage obstruction deformity "
         "dislocation abscess cyst degeneration insufficiency hypertrophy atrophy thrombosis embolism disorder").split()
quals = "acute chronic recurrent congenital traumatic primary secondary unspecified other bilateral".split()
sides = ["right", "left", "unspecified side"]
enc = [("A", "initial encounter"), ("D", "subsequent encounter"), ("S", "sequela")]
rows, billable = [], 0
letters = "ABCDEFGHIJKLMNOPQRSTVWXYZ"
for letter in letters:
    for cat in range(100):
        if billable >= target: break
        c3 = f"{letter}{cat:02d}"
        cond, site = rng.choice(conds), rng.choice(sites)
        rows.append((c3, 0, f"{rng.choice(quals).capitalize()} {cond} of {site}"))
        for sub in range(10):
            c4 = f"{c3}{sub}"
            rows.append((c4, 0, f"{rng.choice(quals).capitalize()} {cond} of {site}, type {sub}"))
            for s, side in enumerate(sides):
                c6 = f"{c4}{s + 1}X"
                for e, text in enc:
                    rows.append((c6 + e, 1, f"{rng.choice(quals).capitalize()} {cond} of {side} {site}, type {sub}, {text}"))
                    billable += 1
with open(out, "w", newline="\n") as f:
    for i, (code, flag, desc) in enumerate(rows, 1):
        f.write(f"{i:05d} {code:<7} {flag} {desc[:60]:<60} {desc}\n")
print(f"{out}: {len(rows)} lines, {billable} billable")
