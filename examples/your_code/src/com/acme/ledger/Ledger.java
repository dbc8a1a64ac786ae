package com.acme.ledger;

import java.util.List;

public class Ledger {
    private final int limit;

    public Ledger(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("Limit must be positive: " + limit);
        }
        this.limit = limit;
    }

    public void post(String account, int amount) {
        if (amount > limit) {
            throw new LimitExceededException(account, amount);
        }
        if (account.isEmpty()) {
            throw new IllegalStateException(
                String.format("Account %s is not open",
                    describe(account)));
        }
    }

    public void postAll(List<String> accounts) {
        accounts.forEach(account -> {
            throw new UnsupportedOperationException("Batch posting is off for " + account);
        });
    }

    static String describe(String account) {
        return "'" + account + "'";
    }

    class Entry {
        Entry(int amount) {
            if (amount == 0) {
                throw new IllegalArgumentException("Empty entry");
            }
        }
    }

    public static void main(String[] args) {
        Runnable[] calls = {
            () -> new Ledger(-5),
            () -> new Ledger(10).post("ACC-1", 50),
            () -> new Ledger(10).post("", 5),
            () -> new Ledger(10).postAll(List.of("ACC-2")),
            () -> new Ledger(10).new Entry(0),
            () -> new Ledger(10).post(null, 5),
        };
        for (Runnable call : calls) {
            try { call.run(); } catch (RuntimeException e) { e.printStackTrace(); }
        }
    }
}
