package tw.einvoice.bench;

import java.util.List;

/** Rates from completion times. */
final class SteadyState {

    private SteadyState() {
    }

    /**
     * Completions per second between the completion at fraction {@code from} and the one at fraction {@code to} of the
     * sorted times (epoch ms): trims the start (intake still running, claims ramping up) and the drain at the end.
     */
    static double rate(List<Long> sortedMillis, double from, double to) {
        int n = sortedMillis.size();
        int a = (int) Math.floor(from * (n - 1));
        int b = (int) Math.ceil(to * (n - 1));
        if (b <= a) {
            return Double.NaN;
        }
        long ms = sortedMillis.get(b) - sortedMillis.get(a);
        return ms <= 0 ? Double.POSITIVE_INFINITY : (b - a) * 1000.0 / ms;
    }

    /** The steady-state rate the benchmark reports: the middle 80% of completions. */
    static double steady(List<Long> sortedMillis) {
        return rate(sortedMillis, 0.1, 0.9);
    }

    /** Completions per second over the first {@code count} completions. */
    static double first(List<Long> sortedMillis, int count) {
        int k = Math.min(count, sortedMillis.size());
        return rate(sortedMillis.subList(0, k), 0, 1);
    }

    /** Completions per second over the last {@code count} completions. */
    static double last(List<Long> sortedMillis, int count) {
        int n = sortedMillis.size();
        return rate(sortedMillis.subList(n - Math.min(count, n), n), 0, 1);
    }
}
