"""The SHA-256 of the model this version ships, pinned in the package itself (not beside the model).

A manifest next to a model can be replaced together with the model; this file cannot without
replacing the package. `mi-coder train -o models/default.joblib` prints the new hash to put here.
"""

SHIPPED_SHA256 = "fd9e489ec1ad2937fb4d735f26e904a3606e4d4f853d90e3473a10f37b6a0308"

# The accurate tier's ONNX encoder (models/accurate/model.onnx); empty while no accurate tier ships.
ACCURATE_ENCODER_SHA256 = "abb9bb10a84ca052108d462aa49567d29c529e6e8afed4457bb4c0a5fd2fd669"
