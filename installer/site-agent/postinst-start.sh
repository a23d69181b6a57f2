        # The unit starts by itself once the workspace has joined a federation (see the unit
        # file); an upgrade restarts a running agent, which resumes its round.
        if [ -n "$2" ]; then
            deb-systemd-invoke try-restart "$unit" >/dev/null || true
        fi
