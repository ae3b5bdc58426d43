package io.fedtt.core.federation;

import java.util.regex.Pattern;

/**
 * A silo (cross-silo) or a registered device (cross-device). Its update's FedAvg weight is its
 * example count times {@code weight} (1.0 unless the job says otherwise).
 */
public record Participant(String name, double weight) {

    /** Letters, digits, '-', '_', '.': safe as a URL segment and as a file name. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public Participant {
        checkName(name);
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("participant '" + name + "': weight must be a positive number, got " + weight);
        }
    }

    public static Participant of(String name) {
        return new Participant(name, 1.0);
    }

    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }

    public static void checkName(String name) {
        if (!validName(name)) {
            throw new IllegalArgumentException("participant name '" + name
                    + "' must be 1-128 letters, digits, '.', '_' or '-' starting with a letter or digit");
        }
    }
}
