package tw.einvoice.sandbox;

/**
 * An invoice track (字軌): a two-letter header and a range of eight-digit numbers of one period (ROC year and two-month
 * term), with ECPay's status 0 disabled (a new track's state, per ECPay), 1 paused, 2 enabled. Guarded by its merchant
 * book's lock.
 */
final class Track {

    final String trackId;
    final String header;
    final long start;
    final long end;
    /** The year of the Republic of China (115 is 2026); empty for a track kept from before tracks had one. */
    final String year;
    /** The two-month period, 1 (January-February) to 6 (November-December); 0 when unknown. */
    final int term;
    final String invType;
    long next;
    int status;

    Track(String trackId, String header, long start, long end, int status, String year, int term, String invType) {
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
        this.year = year == null ? "" : year;
        this.term = term;
        this.invType = invType == null || invType.isEmpty() ? "07" : invType;
    }

    boolean hasNumbers() {
        return next <= end;
    }

    String allocate() {
        return header + String.format("%08d", next++);
    }

    /**
     * GetInvoiceWordSetting's UseStatus: 1 not enabled (never used), 2 in use, 3 disabled (after use), 4 paused.
     */
    int useStatus() {
        return switch (status) {
            case 2 -> 2;
            case 1 -> 4;
            default -> next == start ? 1 : 3;
        };
    }
}
