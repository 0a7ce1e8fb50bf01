"""The SHA-256 of the model this version ships, pinned in the package itself (not beside the model).

A manifest next to a model can be replaced together with the model; this file cannot without
replacing the package. `mi-coder train -o models/default.joblib` prints the new hash to put here.
"""

SHIPPED_SHA256 = "a280d2ff307ce7e4a49f117a01dc0860622c9c86386f119fdc1d0ae9d3b8a855"

# The accurate tier's ONNX encoder (models/accurate/model.onnx); empty while no accurate tier ships.
ACCURATE_ENCODER_SHA256 = "f187143032518bbddbead13422f499885e2a5f57329c35341b1fcb585328314f"
