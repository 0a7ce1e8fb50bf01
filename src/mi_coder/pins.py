"""The SHA-256 of the model this version ships, pinned in the package itself (not beside the model).

A manifest next to a model can be replaced together with the model; this file cannot without
replacing the package. `mi-coder train -o models/default.joblib` prints the new hash to put here.
"""

SHIPPED_SHA256 = "87156a4eb39fdfd381d25e7d8b2049045bdb1c4b032fb9574a8a143461c1ff05"

# The accurate tier's ONNX encoder (models/accurate/model.onnx); empty while no accurate tier ships.
ACCURATE_ENCODER_SHA256 = ""
