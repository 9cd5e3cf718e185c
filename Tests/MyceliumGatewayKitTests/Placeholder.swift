// Replaced by the gateway kit's tests.
