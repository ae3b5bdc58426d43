package io.fedtt.core.federation;

/** Body bytes counted on the wire: {@code up} from clients to the server, {@code down} the other way. */
public record Traffic(long up, long down) {

    public static final Traffic ZERO = new Traffic(0, 0);

    public Traffic plus(long moreUp, long moreDown) {
        return new Traffic(up + moreUp, down + moreDown);
    }

    public Traffic plus(Traffic other) {
        return plus(other.up, other.down);
    }
}
