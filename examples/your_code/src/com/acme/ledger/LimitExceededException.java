package com.acme.ledger;

public class LimitExceededException extends RuntimeException {
    public LimitExceededException(String account, int amount) {
        super(account + " over its limit by " + amount);
    }
}
