package engine

import (
	"errors"
	"fmt"
)

// ErrorCode classifies an error for clients and HTTP status mapping.
type ErrorCode string

// The error codes a command can be rejected with.
const (
	CodeInvalid   ErrorCode = "invalid"
	CodeNotFound  ErrorCode = "not_found"
	CodeForbidden ErrorCode = "forbidden"
	CodeConflict  ErrorCode = "conflict"
	CodeInternal  ErrorCode = "internal"
)

// Error is a rejected command or failed operation: a machine code and a
// message fit to show the user who caused it.
type Error struct {
	Code    ErrorCode
	Message string
}

// Error returns the user-facing message.
func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Code returns the code of err: the code of an *Error in its chain, or
// CodeInternal for any other non-nil error.
func Code(err error) ErrorCode {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
