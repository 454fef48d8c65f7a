// placeholder, replaced by the sim implementation
