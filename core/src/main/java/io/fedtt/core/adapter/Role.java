package io.fedtt.core.adapter;

/** What a trainable tensor is, for accounting, initialization and freezing. */
public enum Role {
    /** A core of an adapter's TT layer (down or up projection) or of a TT delta on a projection. */
    TT_CORE,
    /** The dense bias of an adapter's TT layer. */
    ADAPTER_BIAS,
    /** LayerNorm / RMSNorm weight or bias, copied from the pretrained model. */
    NORM,
    /** Classification head; its dense layer may be a TT layer (then its cores carry this role). */
    HEAD,
    LORA_A,
    LORA_B,
    /** A pretrained weight trained as a whole (full fine-tuning). */
    FULL
}
