// placeholder, replaced by the perception implementation
