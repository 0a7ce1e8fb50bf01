"""The SHA-256 of the model this version ships, pinned in the package itself (not beside the model).

A manifest next to a model can be replaced together with the model; this file cannot without
replacing the package. `mi-coder train -o models/default.joblib` prints the new hash to put here.
"""

SHIPPED_SHA256 = "b33cda0a5c5f27d2b24e8c2f97a856f643538f4d11395b18854e1d99b0e4758d"

# The accurate tier's ONNX encoder (models/accurate/model.onnx); empty while no accurate tier ships.
ACCURATE_ENCODER_SHA256 = "276eebc371366f88a626878c007fd44bd81aaf11418e8a752745cc85a0650e96"
