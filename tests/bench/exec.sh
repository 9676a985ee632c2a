# Sourced by run-bench.sh: rc exec next to podman exec, medians of 20.
# Uses time_runs, row, ratio, rc, podman, runtime, podman_ok, RUNS from run-bench.sh.
echo "exec (medians of ${EXEC_RUNS:-20}):"
saved_runs=$RUNS
RUNS=${EXEC_RUNS:-20}
"${rc[@]}" run -d --name ex --network none localhost/bench sleep 1000 >/dev/null
read -r e_m e_p < <(time_runs exec "${rc[@]}" exec ex true)
row "rc exec CTR true" "$e_m" "$e_p" "(target <= 10 ms)"
if [ -n "${podman_ok:-}" ] &&
        "${podman[@]}" "${runtime[@]}" run -d --name ex --network none localhost/bench sleep 1000 >/dev/null 2>&1; then
        read -r pe_m pe_p < <(time_runs podman-exec "${podman[@]}" "${runtime[@]}" exec ex true)
        row "podman exec CTR true" "$pe_m" "$pe_p" "rc is $(ratio "$pe_m" "$e_m")x faster (target >= 20x)"
        "${podman[@]}" rm -f -t 0 ex >/dev/null 2>&1 || true
fi
echo "where rc exec's time goes (one run, --log-level debug):"
"${rc[@]}" --log-level debug exec ex true 2>&1 | sed -n 's/^rc: debug: exec: /  /p'
"${rc[@]}" rm -f ex >/dev/null
RUNS=$saved_runs
