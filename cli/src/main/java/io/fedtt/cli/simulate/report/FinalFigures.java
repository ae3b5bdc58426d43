package io.fedtt.cli.simulate.report;

/** The figures a run ends with; every byte count is measured on the wire, the LoRA/full ones computed. */
public record FinalFigures(
        double accuracy,
        double macroF1,
        long bytesUp,
        long bytesDown,
        long trainableParameters,
        long communicatedParametersPerUpdate,
        long loraEquivalentBytes,
        long fullModelBytes,
        double reductionVsLora,
        double wallSeconds) {

    public long bytes() {
        return bytesUp + bytesDown;
    }
}
