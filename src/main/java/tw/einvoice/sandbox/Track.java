package tw.einvoice.sandbox;

/**
 * An invoice track (字軌): a two-letter header and a range of eight-digit numbers, with ECPay's status
 * 0 disabled (a new track's state, per ECPay), 1 paused, 2 enabled. Guarded by its merchant book's lock.
 */
final class Track {

    final String trackId;
    final String header;
    final long start;
    final long end;
    long next;
    int status;

    Track(String trackId, String header, long start, long end, int status) {
        if (!header.matches("[A-Z]{2}") || start < 0 || end > 99_999_999L || end < start) {
            throw new IllegalArgumentException("track " + trackId + ": header must be two capital letters and "
                    + "0 <= start <= end <= 99999999, got " + header + " " + start + ".." + end);
        }
        this.trackId = trackId;
        this.header = header;
        this.start = start;
        this.end = end;
        this.next = start;
        this.status = status;
    }

    boolean hasNumbers() {
        return next <= end;
    }

    String allocate() {
        return header + String.format("%08d", next++);
    }
}
