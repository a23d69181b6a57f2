"""fedmedclip-cli predict, plain and --json, on a site trained on real dermoscopy photos with
the tiny demo bundle: calibrated probabilities by class name, the prediction set, its coverage,
the out-of-distribution verdict with reasons (a DICOM CT is flagged), branch disagreement and
the model version; `calibration` changes the coverage the next training calibrates for."""
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import unittest

CLI = os.environ.get("FMC_CLI", "")
DATA = pathlib.Path(os.environ.get("FMC_SHARED_DATA_DIR", ""))
ISIC = DATA / "dermoscopy-isic9"
CT = DATA / "dicom" / "pydicom-test-files" / "CT_small.dcm"
CLASSES = ["melanoma", "nevus", "vascular lesion"]


def run(*args):
    result = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise AssertionError(f"{args[0]} failed ({result.returncode}): {result.stderr}{result.stdout}")
    return result.stdout


@unittest.skipUnless(CLI and ISIC.is_dir() and CT.is_file(), "needs FMC_CLI and ../shared/data")
class PredictCommand(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        root = pathlib.Path(cls.tmp.name)
        cls.workspace = root / "site"
        bundle = root / "bundle"
        run("make-bundle", "--shape", "tiny", "--out", bundle)
        csv = root / "labels.csv"
        rows = ["path,label"]
        for name in CLASSES:
            for image in sorted((ISIC / "Train" / name).glob("*.jpg"))[:40]:
                rows.append(f'"{image}","{name}"')
        csv.write_text("\n".join(rows) + "\n")
        paths = [line.split(",")[0].strip('"') for line in rows[1:]]
        run("import", cls.workspace, *paths, "--labels-from", f"csv:{csv}")
        cls.training = run("train-local", cls.workspace, "--bundle", bundle, "--rounds", "3")
        cls.version = int(re.search(r"saved model version (\d+)", cls.training).group(1))
        cls.photo = sorted((ISIC / "Test" / "melanoma").glob("*.jpg"))[0]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def predict_json(self, image):
        return json.loads(run("predict", self.workspace, image, "--json"))

    def test_training_reports_the_calibration(self):
        self.assertRegex(self.training, r"calibration on \d+ validation images: temperature [\d.]+, NLL")
        self.assertRegex(self.training, r"90% prediction sets cover the true class in [\d.]+% of \d+ test images")
        self.assertIn("DEMO bundle", self.training)

    def test_json_has_every_field(self):
        p = self.predict_json(self.photo)
        for key in ("class", "probabilities", "prediction_set", "coverage", "out_of_distribution", "ood_reasons",
                    "branch_disagreement", "model_version"):
            self.assertIn(key, p)
        self.assertEqual(p["model_version"], self.version)
        self.assertEqual(sorted(p["probabilities"]), sorted(CLASSES))
        self.assertAlmostEqual(sum(p["probabilities"].values()), 1.0, places=5)
        self.assertTrue(p["calibrated"])
        self.assertEqual(p["coverage"], 0.9)
        self.assertEqual(p["class"], max(p["probabilities"], key=p["probabilities"].get))
        # The set is the most probable classes, the predicted one first.
        ranked = sorted(p["probabilities"], key=p["probabilities"].get, reverse=True)
        self.assertEqual(p["prediction_set"], ranked[: len(p["prediction_set"])])
        self.assertEqual(p["prediction_set"][0], p["class"])
        fam = p["probabilities_fam_only"]
        mlp = p["probabilities_mlp_only"]
        self.assertEqual(p["branch_disagreement"], max(fam, key=fam.get) != max(mlp, key=mlp.get))
        self.assertIsInstance(p["ood_reasons"], list)
        self.assertEqual(p["out_of_distribution"], bool(p["ood_reasons"]))
        self.assertTrue(p["demo_bundle"])

    def test_a_ct_is_out_of_distribution_in_json_and_words(self):
        p = self.predict_json(CT)
        self.assertTrue(p["out_of_distribution"])
        self.assertIn("modality CT, expected photo", p["ood_reasons"])
        self.assertIn("photometric grey, expected colour", p["ood_reasons"])
        plain = run("predict", self.workspace, CT)
        self.assertIn("WARNING: this image does not look like the images the model was trained on", plain)
        self.assertIn("  - modality CT, expected photo", plain)
        self.assertRegex(plain, r"90% prediction set: one of: ")
        self.assertIn("DEMO bundle", plain)

    def test_plain_output_says_the_same_in_words(self):
        p = self.predict_json(self.photo)
        plain = run("predict", self.workspace, self.photo)
        self.assertIn(f"predicted: {p['class']}", plain)
        self.assertIn("one of: " + ", ".join(p["prediction_set"]), plain)
        self.assertIn("probabilities calibrated on the site's validation images", plain)
        self.assertEqual("the two branches disagree" in plain, p["branch_disagreement"])
        self.assertEqual("out of distribution: no" in plain, not p["out_of_distribution"])

    def test_coverage_and_image_kind_are_the_sites_choice(self):
        shown = run("calibration", self.workspace, "--coverage", "0.8", "--modalities", "CT")
        self.assertIn("prediction-set coverage: 0.800", shown)
        self.assertIn('declared {"body_parts":[],"modalities":["CT"],"photometric":[]}', shown)
        bad = subprocess.run([CLI, "calibration", str(self.workspace), "--photometric", "sepia"], capture_output=True,
                             text=True)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("sepia", bad.stderr)
        try:
            training = run("train-local", self.workspace, "--rounds", "2")
            self.assertRegex(training, r"80% prediction sets cover the true class")
            p = self.predict_json(self.photo)
            self.assertEqual(p["coverage"], 0.8)
            self.assertIn("modality photo, expected CT", p["ood_reasons"])
        finally:
            # Back to the defaults and a model trained with them, for the other tests.
            run("calibration", self.workspace, "--coverage", "0.9", "--seen-in-training")
            training = run("train-local", self.workspace, "--rounds", "3")
            type(self).version = int(re.search(r"saved model version (\d+)", training).group(1))


@unittest.skipUnless(CLI and ISIC.is_dir(), "needs FMC_CLI and ../shared/data")
class WithoutValidationImages(unittest.TestCase):
    """A site imported without a validation share: raw scores, said to be raw scores."""

    def test_predict_says_the_scores_are_not_calibrated(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp)
            bundle = root / "bundle"
            run("make-bundle", "--shape", "tiny", "--out", bundle)
            workspace = root / "site"
            csv = root / "labels.csv"
            rows = ["path,label"]
            for name in CLASSES:
                for image in sorted((ISIC / "Train" / name).glob("*.jpg"))[:16]:
                    rows.append(f'"{image}","{name}"')
            csv.write_text("\n".join(rows) + "\n")
            paths = [line.split(",")[0].strip('"') for line in rows[1:]]
            run("import", workspace, *paths, "--labels-from", f"csv:{csv}", "--validation-share", "0")
            training = run("train-local", workspace, "--bundle", bundle, "--rounds", "2")
            self.assertIn("no validation images: probabilities are not calibrated", training)
            photo = sorted((ISIC / "Test" / "melanoma").glob("*.jpg"))[0]
            p = json.loads(run("predict", workspace, photo, "--json"))
            self.assertFalse(p["calibrated"])
            self.assertEqual(p["prediction_set"], [])
            self.assertIsNone(p["coverage"])
            self.assertIn("no validation images", p["not_calibrated_reason"])
            plain = run("predict", workspace, photo)
            self.assertIn("NOT calibrated: the model had no validation images to calibrate on", plain)
            self.assertIn("raw model scores, not probabilities", plain)


if __name__ == "__main__":
    sys.exit(unittest.main())
