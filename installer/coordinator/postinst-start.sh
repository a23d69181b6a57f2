        # Started once the TLS certificate and key are in place, restarted on upgrade.
        if [ -r "$config/tls/coordinator.pem" ] && [ -r "$config/tls/coordinator.key" ]; then
            if [ -n "$2" ]; then action=restart; else action=start; fi
            deb-systemd-invoke "$action" "$unit" >/dev/null || true
        else
            echo "fedmedclip-coordinator: put the TLS certificate and key into $config/tls/" \
                 "(see /usr/share/doc/fedmedclip-coordinator/operators.md), then: systemctl start $unit"
        fi
