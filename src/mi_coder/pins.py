"""The SHA-256 of the model this version ships, pinned in the package itself (not beside the model).

A manifest next to a model can be replaced together with the model; this file cannot without
replacing the package. `mi-coder train -o models/default.joblib` prints the new hash to put here.
"""

SHIPPED_SHA256 = "4008c8e3bfb04f56182854ff45c40440fdef7ab2d7753b29f8e106b5d6264602"
