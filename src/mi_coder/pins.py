"""The SHA-256 of the model this version ships, pinned in the package itself (not beside the model).

A manifest next to a model can be replaced together with the model; this file cannot without
replacing the package. `mi-coder train -o models/default.joblib` prints the new hash to put here.
"""

SHIPPED_SHA256 = "b3061d2ad30ff3d96ae38dc819dfbae572d161ccbb373a41b6bb8a2b3ca96039"
