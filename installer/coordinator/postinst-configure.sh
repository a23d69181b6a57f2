    mkdir -p "$config/tls"
    # The service reads its key here; nobody else may.
    set_ownership root "$user" 0750 "$config/tls"
    # The configuration may hold a database password.
    set_ownership root "$user" 0640 "$config/coordinator.json"
